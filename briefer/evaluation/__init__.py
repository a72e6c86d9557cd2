"""Measuring briefer on labelled data: summaries (ROUGE), stories and themes, and the
themes report. Infrastructure, not a pipeline stage: nothing in the stages imports it."""
