"""The service: APScheduler jobs (nightly crawl, availability probes, recheck queue, quarterly
reminder), crawl batches that survive a crash, and the locks that keep one of each running."""
