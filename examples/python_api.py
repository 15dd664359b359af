from arxiv_digest import pipeline
from arxiv_digest.config import load_config

config, _ = load_config(flags={"categories": ["cs.IR"], "summarizer.backend": "openai",
                               "summarizer.model": "qwen-plus"})
report = pipeline.run_day(config, deliver=True)   # fetch, rank, summarize, render, deliver
print("\n".join(report.lines), report.summarize.cost if report.summarize else None)

with pipeline.open_store(config) as store:        # or one stage at a time
    again = pipeline.SummarizeOptions(retry_failed=True)
    pipeline.summarize(config, store, report.date, again)
    pipeline.render(config, store, "html")
    print(pipeline.check(store, report.date).counts)
