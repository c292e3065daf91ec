"""Render a :class:`~emunmix.report.model.Report` to one self-contained HTML page.

No scripts, no external style sheets, fonts or images: figures are inline
``data:image/png;base64`` URIs and a Content-Security-Policy forbids any other
source, so the page opens offline, from a mail attachment or an archive, and
never reaches the network. Every number is printed from the same cleaned
summary that ``summary.json`` holds (see :mod:`emunmix.report.numbers`).
"""

from __future__ import annotations

from html import escape

from .numbers import fmt

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1100px;padding:1.5em;color:#1b1f24;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2em;
margin-top:2em}h3{margin-top:1.4em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f8fa;padding:.7em;overflow-x:auto;border-radius:4px}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #d0d7de}
figcaption{font-size:.9em;color:#57606a}.meta{color:#57606a}.note{color:#57606a;
font-style:italic}nav ul{columns:2}
"""

CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
       "base-uri 'none'; form-action 'none'")


def _cell(value) -> str:
    cls = ' class="num"' if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else ""
    return f"<td{cls}>{escape(fmt(value))}</td>"


def _flat(d: dict, prefix: str = "") -> list:
    rows = []
    for key, value in d.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flat(value, name + " / ")
        else:
            rows.append((name, value))
    return rows


def _key_table(d: dict, header=("name", "value")) -> str:
    rows = _flat(d)
    if not rows:
        return '<p class="note">none</p>'
    body = "".join(f"<tr><th>{escape(str(k))}</th>{_cell(v)}</tr>" for k, v in rows)
    return f"<table><tr><th>{header[0]}</th><th>{header[1]}</th></tr>{body}</table>"


def _rows_table(rows: list) -> str:
    if not rows:
        return '<p class="note">none</p>'
    cols = list(rows[0])
    head = "".join(f"<th>{escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(_cell(r.get(c)) for c in cols) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _figure(fig, ident: str) -> str:
    return (f'<figure id="{ident}"><img class="report-figure" src="{fig.data_uri()}" '
            f'alt="{escape(fig.title)}"><figcaption><b>{escape(fig.title)}</b>. '
            f"{escape(fig.caption)}</figcaption></figure>")


def _dataset(d: dict, i: int) -> str:
    label = f" ({d['label']})" if d.get("label") else ""
    head = {k: d[k] for k in ("title", "class", "source", "data_shape", "navigation_shape",
                              "signal_shape", "dtype", "size_mib") if k in d}
    parts = [f'<h3 id="dataset-{i}">{escape(d.get("title") or "untitled")}{escape(label)}</h3>',
             _key_table(head), "<h4>Axes</h4>", _rows_table(d.get("axes", [])),
             "<h4>Statistics</h4>", _key_table(d.get("statistics", {})),
             "<h4>Metadata</h4>", _key_table(d.get("metadata", {}), ("item", "value"))]
    if d.get("metadata_leaves_not_shown"):
        parts.append(f'<p class="note">{fmt(d["metadata_leaves_not_shown"])} more metadata '
                     "items are not shown.</p>")
    return "\n".join(parts)


def _step(step: dict, figures: list, i: int) -> str:
    seconds = step["seconds"]
    timing = (f"{escape(fmt(seconds))} s" if seconds is not None else escape(
        step.get("timing_note") or "not timed (the results were computed before this report "
        "was asked for)"))
    parts = [f'<h2 id="step-{i}">{i + 1}. {escape(step["name"])}</h2>',
             f'<p class="meta">Time: {timing}</p>',
             "<h3>Parameters</h3>", _key_table(step["parameters"])]
    if step.get("call"):
        parts += ["<p>In Python:</p>", f'<pre class="call">{escape(step["call"])}</pre>']
    parts += ["<h3>Results</h3>", _key_table(step["results"])]
    if step["ground_truth"]:
        parts += ["<h3>Against the ground truth</h3>", _key_table(step["ground_truth"])]
    for name, rows in step["tables"].items():
        parts += [f"<h3>{escape(name.capitalize())}</h3>", _rows_table(rows)]
    parts += [_figure(f, f"fig-{i}-{j}") for j, f in enumerate(figures)]
    parts += [f'<p class="note">{escape(n)}</p>' for n in step["notes"]]
    return "\n".join(parts)


def render_html(report) -> str:
    """The page of ``report`` as a string (UTF-8 HTML5)."""
    s = report.to_summary()
    toc = ['<li><a href="#datasets">Datasets</a></li>']
    toc += [f'<li><a href="#step-{i}">{i + 1}. {escape(st["name"])}</a></li>'
            for i, st in enumerate(s["steps"])]
    overview = [{"step": st["name"], "seconds": st["seconds"]} for st in s["steps"]]
    body = [
        f"<h1>{escape(s['title'])}</h1>",
        f'<p class="meta">emunmix {escape(s["emunmix_version"])} &middot; created '
        f'{escape(s["created"])} &middot; Python {escape(s["environment"]["python"])} on '
        f'{escape(s["environment"]["platform"])}</p>',
    ]
    if s["command"]:
        body += ["<p>Reproduce with:</p>", f'<pre id="command">{escape(s["command"])}</pre>']
    body += [f"<nav><ul>{''.join(toc)}</ul></nav>", "<h2>Steps</h2>", _rows_table(overview)]
    if s["total_seconds"] is not None:
        body.append(f'<p class="meta">Total time of the timed steps: '
                    f'{escape(fmt(s["total_seconds"]))} s</p>')
    body.append('<h2 id="datasets">Datasets</h2>')
    body += [_dataset(d, i) for i, d in enumerate(s["datasets"])]
    body += [_figure(f, f"fig-dataset-{j}") for j, f in enumerate(report.figures)]
    body += [_step(st, sec.figures, i)
             for i, (st, sec) in enumerate(zip(s["steps"], report.sections))]
    body.append('<p class="meta">The numbers on this page are in summary.json beside it.</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="icon" href="data:,">'
            f"<title>{escape(s['title'])}</title><style>{CSS}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")
