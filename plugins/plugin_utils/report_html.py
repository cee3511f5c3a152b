# -*- coding: utf-8 -*-
# Copyright (c) fleetops maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""fleet-report.html: the run report as one self-contained page (CSS, script and SVG pictures inline; nothing is
fetched, so it opens from file://, a downloaded job artifact or any web server).

The item tables are rendered a page at a time by a small script from the rows embedded as JSON, so that tens of
thousands of rows open fast; search, the outcome filter and sorting work on all rows.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

try:
    from html import escape as _escape
except ImportError:  # Python 2 (never on a controller of ansible-core 2.19, kept for the sanity test's parsers)
    from cgi import escape as _escape

from ansible_collections.fleetops.maintenance.plugins.plugin_utils.report_data import (
    HELD_BACK,
    ITEM_FIELDS,
    VENDOR_TITLES,
    status_class,
)

# Items of one failure cause listed on the page (the table below has all of them, filtered by outcome).
FAILURE_ITEMS_SHOWN = 500
COLUMN_TITLES = dict(item_id='Item', name='Name', group='Account, tenant or wave', action='Action', outcome='Outcome',
                     reason='Reason', task_id='Task or job')
SYMBOLS = dict(failed='\u2716', attention='\u26a0', planned='\u25c7', unchanged='\u25cb', skipped='\u2212', done='\u2714')
HORIZONTAL_BARS_MAX = 40

CSS = """
:root{--ok:#1a7f37;--failed:#b42318;--attention:#9a6700;--planned:#1f5fbf;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328}
header.run{padding:1rem 1.5rem;border-bottom:4px solid var(--line);background:var(--bg)}
header.run.failed{border-color:var(--failed)}header.run.ok{border-color:var(--ok)}
h1{margin:.2rem 0 .6rem;font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid var(--line)}main{padding:0 1.5rem 2rem}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.15rem 1rem;margin:0}dl.facts dt{font-weight:600}
dl.facts dd{margin:0}.status{font-weight:700;font-size:1.1rem}.status.failed{color:var(--failed)}.status.ok{color:var(--ok)}
.plan{display:inline-block;margin-top:.5rem;padding:.3rem .6rem;border:2px dashed var(--planned);color:var(--planned);font-weight:700}
nav.toc a{margin-right:1rem}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}thead th{background:var(--bg)}
td.num{text-align:right;font-variant-numeric:tabular-nums}.badge{white-space:nowrap;font-weight:600}
.s-failed{color:var(--failed)}.s-attention{color:var(--attention)}.s-planned{color:var(--planned)}
.s-unchanged,.s-skipped{color:var(--muted)}.s-done{color:var(--ok)}
article.failure{border-left:4px solid var(--failed);padding:.2rem 1rem;margin:1rem 0;background:#fff8f7}
article.failure h3{margin:.3rem 0}article.vendor{margin:1.5rem 0}.headline{font-weight:600}
figure{margin:.5rem 0}figcaption{color:var(--muted);font-size:.85rem}svg text{font:11px system-ui,sans-serif;fill:#1f2328}
.controls{display:flex;flex-wrap:wrap;gap:1rem;align-items:end;margin:.5rem 0}.controls label{display:flex;flex-direction:column;font-size:.85rem}
.controls input{min-width:18rem}input,select,button{font:inherit;padding:.2rem .4rem}
th button{all:unset;cursor:pointer;font-weight:700}th button:focus{outline:2px solid var(--planned)}
th[aria-sort=ascending] button::after{content:" \\25B2"}th[aria-sort=descending] button::after{content:" \\25BC"}
.pager{display:flex;gap:.5rem;align-items:center}.table-wrap{overflow-x:auto}td.reason{max-width:40rem}
.legend span{margin-right:1rem;white-space:nowrap}
.legend i{display:inline-block;width:.9rem;height:.9rem;vertical-align:middle;margin-right:.3rem;border:1px solid #0003}
@media print{.controls,.pager,nav.toc{display:none}body{font-size:11px}header.run{background:none}
 article.failure{background:none;break-inside:avoid}details{display:block}details>*{display:block}
 a[href^="#"]{color:inherit;text-decoration:none}.print-note{display:block!important}}
.print-note{display:none;color:var(--muted)}
"""

SCRIPT = r"""
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('fleet-rows').textContent);
  var columns = data.columns, PAGE = 100, SYMBOLS = data.symbols;
  function classOf(outcome) { return data.classes[outcome] || 'done'; }
  function cell(tr, text, cls) {
    var td = document.createElement('td'); td.textContent = text; if (cls) { td.className = cls; } tr.appendChild(td); return td;
  }
  document.querySelectorAll('section.items').forEach(function (section) {
    var rows = data.rows[section.getAttribute('data-vendor')] || [];
    var search = section.querySelector('input[type=search]'), filter = section.querySelector('select');
    var tbody = section.querySelector('tbody'), status = section.querySelector('.shown');
    var prev = section.querySelector('button.prev'), next = section.querySelector('button.next');
    var state = {query: '', outcome: '', sortBy: -1, direction: 1, page: 0, view: rows};
    var haystacks = null;
    function haystack(i) {
      if (!haystacks) { haystacks = rows.map(function (row) { return row.join('\u0001').toLowerCase(); }); }
      return haystacks[i];
    }
    function apply() {
      var query = state.query.trim().toLowerCase(), outcome = state.outcome, outcomeAt = columns.indexOf('outcome');
      var view = [];
      for (var i = 0; i < rows.length; i++) {
        if (outcome && rows[i][outcomeAt] !== outcome) { continue; }
        if (query && haystack(i).indexOf(query) < 0) { continue; }
        view.push(rows[i]);
      }
      if (state.sortBy >= 0) {
        var at = state.sortBy, direction = state.direction;
        view.sort(function (a, b) { return direction * String(a[at]).localeCompare(String(b[at]), undefined, {numeric: true}); });
      }
      state.view = view; state.page = 0; render();
    }
    function render() {
      var pages = Math.max(1, Math.ceil(state.view.length / PAGE)), start = state.page * PAGE;
      var fragment = document.createDocumentFragment();
      state.view.slice(start, start + PAGE).forEach(function (row) {
        var tr = document.createElement('tr');
        row.forEach(function (value, index) {
          if (columns[index] === 'outcome') {
            var td = cell(tr, ''), badge = document.createElement('span'), cls = classOf(value);
            badge.className = 'badge s-' + cls; badge.textContent = SYMBOLS[cls] + ' ' + value; td.appendChild(badge);
          } else { cell(tr, value, columns[index] === 'reason' ? 'reason' : ''); }
        });
        fragment.appendChild(tr);
      });
      tbody.replaceChildren(fragment);
      status.textContent = state.view.length ? ('Rows ' + (start + 1) + '\u2013' + Math.min(start + PAGE, state.view.length) +
        ' of ' + state.view.length + ' (page ' + (state.page + 1) + ' of ' + pages + ')') : 'No row matches.';
      prev.disabled = state.page === 0; next.disabled = state.page >= pages - 1;
    }
    var timer = null;
    search.addEventListener('input', function () {
      clearTimeout(timer); timer = setTimeout(function () { state.query = search.value; apply(); }, 120);
    });
    filter.addEventListener('change', function () { state.outcome = filter.value; apply(); });
    prev.addEventListener('click', function () { if (state.page > 0) { state.page--; render(); } });
    next.addEventListener('click', function () { state.page++; render(); });
    section.querySelectorAll('th button').forEach(function (button) {
      button.addEventListener('click', function () {
        var at = columns.indexOf(button.getAttribute('data-column'));
        state.direction = state.sortBy === at ? -state.direction : 1; state.sortBy = at;
        section.querySelectorAll('th').forEach(function (th) { th.removeAttribute('aria-sort'); });
        button.parentNode.setAttribute('aria-sort', state.direction > 0 ? 'ascending' : 'descending');
        apply();
      });
    });
    render();
  });
  document.body.setAttribute('data-ready', 'true');
}());
"""

COLOURS = dict(done='#2da44e', failed='#cf222e', attention='#d4a72c', planned='#6f9fe8', unchanged='#afb8c1',
               skipped='#d0d7de')
SERIES_CLASSES = {'unmatched': 'attention', 'updated': 'done', 'sent, not confirmed': 'planned', HELD_BACK: 'attention'}


def esc(value):
    return _escape('' if value is None else str(value), quote=True)


def _series_class(name):
    return SERIES_CLASSES.get(name) or status_class(name)


def _fill(name):
    """A fill that does not rely on colour alone: failures are hatched, attention dotted."""
    cls = _series_class(name)
    return 'url(#hatch)' if cls == 'failed' else ('url(#dots)' if cls == 'attention' else COLOURS[cls])


PATTERNS = ('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="6" height="6" fill="%s"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/>'
            '</pattern><pattern id="dots" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" '
            'fill="%s"/><circle cx="2.5" cy="2.5" r="1.2" fill="#fff"/></pattern></defs>'
            % (COLOURS['failed'], COLOURS['attention']))


def picture(vendor):
    """An inline SVG of the vendor's picture: one stacked entry per account, tenant, wave, batch or database."""
    entries = vendor['picture']
    if not entries:
        return '<p>No picture: nothing to show.</p>'
    series = []
    for entry in entries:
        series.extend(name for name in entry['values'] if name not in series)
    biggest = max(sum(entry['values'].values()) for entry in entries) or 1
    label = '%s: %s' % (vendor['title'], '; '.join('%s %d' % (name, sum(entry['values'].get(name, 0) for entry in entries))
                                                   for name in series))
    parts = []
    if len(entries) <= HORIZONTAL_BARS_MAX:
        width, left, height = 760, 190, 20
        svg_height = len(entries) * (height + 6) + 10
        for index, entry in enumerate(entries):
            y, x = 5 + index * (height + 6), left
            parts.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (left - 6, y + 14, esc(entry['label'][:32])))
            for name in series:
                value = entry['values'].get(name, 0)
                if not value:
                    continue
                length = max(1.0, (width - left - 240) * float(value) / biggest)
                parts.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s %d</title></rect>'
                             % (x, y, length, height, _fill(name), esc(entry['label']), esc(name), value))
                x += length
            text = ', '.join('%s %d' % (name, entry['values'][name]) for name in series if entry['values'].get(name))
            parts.append('<text x="%.1f" y="%d">%s</text>' % (x + 6, y + 14, esc(entry.get('note') or text)))
    else:
        width, top, plot = 760, 10, 140
        svg_height = top + plot + 40
        step = float(width - 20) / len(entries)
        for index, entry in enumerate(entries):
            x, y = 10 + index * step, top + plot
            for name in series:
                value = entry['values'].get(name, 0)
                if not value:
                    continue
                size = plot * float(value) / biggest
                y -= size
                parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s %d</title></rect>'
                             % (x, y, max(step - 1, 0.5), size, _fill(name), esc(entry['label']), esc(name), value))
            troubles = ', '.join('%s %d' % (name, entry['values'][name]) for name in series
                                 if entry['values'].get(name) and _series_class(name) in ('failed', 'attention'))
            if troubles:  # a few failures in a big entry would be invisible: marked under it as well
                parts.append('<path d="M%.1f %d l4 7 h-8 z" fill="%s"><title>%s: %s</title></path>'
                             % (x + step / 2, top + plot + 2, COLOURS['failed'], esc(entry['label']), esc(troubles)))
        parts.append('<text x="10" y="%d">%s</text><text x="%d" y="%d" text-anchor="end">%s</text>'
                     % (top + plot + 24, esc(entries[0]['label']), width - 10, top + plot + 24, esc(entries[-1]['label'])))
    legend = ''.join('<span><i style="background:%s"></i>%s</span>' % (
        COLOURS[_series_class(name)] if not _fill(name).startswith('url') else COLOURS[_series_class(name)], esc(name))
        for name in series)
    return ('<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s" width="100%%" viewBox="0 0 %d %d" '
            'style="max-width:%dpx">%s<title>%s</title>%s</svg><figcaption class="legend">%s %s</figcaption></figure>'
            % (esc(label), width, svg_height, width, PATTERNS, esc(label), ''.join(parts), legend,
               '(failed: hatched, needs attention: dotted; in a chart of many columns, one with failures has a \u25b2 '
               'under it; the figures are in the tables)'))


def _facts(report):
    plan = report['mode'] == 'plan'
    status = report['status']
    facts = [('Status', '<span class="status %s" id="run-status">%s %s</span>' % (
        esc(status), SYMBOLS['failed'] if status == 'failed' else SYMBOLS['done'], esc(status.upper()))),
        ('Mode', '<span id="run-mode">%s</span>' % ('Plan (check run): nothing was changed' if plan else 'Live run')),
        ('Limit', esc(report['limit'] or '(whole inventory)')), ('Started', esc(report['started_at'] or 'unknown')),
        ('Ended', esc(report['finished_at'])),
        ('Duration', esc('%s s' % report['duration_seconds'] if report['duration_seconds'] is not None else 'unknown'))]
    if report.get('awx_job_id'):
        facts.append(('AWX job', esc(report['awx_job_id'])))
    html = '<dl class="facts">%s</dl>' % ''.join('<dt>%s</dt><dd>%s</dd>' % fact for fact in facts)
    if plan:
        html += ('<p class="plan" id="plan-label" role="note">PLAN \u2014 this was a check run: nothing was changed; '
                 'the report shows what would be done.</p>')
    return html


def _failures(groups):
    html = ['<section id="failures" aria-labelledby="failures-title"><h2 id="failures-title">Failures (%d cause%s, %d item%s)</h2>'
            % (len(groups), '' if len(groups) == 1 else 's', sum(group['count'] for group in groups),
               '' if sum(group['count'] for group in groups) == 1 else 's')]
    if not groups:
        html.append('<p>None: nothing failed.</p>')
    for number, group in enumerate(groups, 1):
        items = group['items'][:FAILURE_ITEMS_SHOWN]
        listed = ''.join('<li><code>%s</code>%s</li>' % (esc(item['item_id'] or '(none)'),
                                                         ' %s' % esc(item['name']) if item['name'] else '') for item in items)
        more = group['count'] - len(items)
        html.append(
            '<article class="failure" data-vendor="%s" data-code="%s"><h3>%d. %s %s: %s (%d)</h3><dl class="facts">'
            '<dt>Code</dt><dd class="code">%s</dd><dt>Message</dt><dd class="message">%s</dd>'
            '<dt>What to do</dt><dd class="advice">%s</dd><dt>Where</dt><dd>%s</dd></dl>%s</article>'
            % (esc(group['vendor']), esc(group['code']), number, SYMBOLS['failed'], esc(dict(VENDOR_TITLES).get(group['vendor'], group['vendor'])),
               esc(group['outcome']), group['count'], esc(group['code'] or '(none given)'), esc(group['message']),
               esc(group['advice']), esc(', '.join(str(scope) for scope in group['scopes'][:30]) or '-'),
               ('<details%s><summary>Items it hit (%d)</summary><ul class="items">%s</ul>%s</details>'
                % (' open' if group['count'] <= 20 else '', group['count'], listed,
                   '<p>and %d more: filter the table below by outcome "%s".</p>' % (more, esc(group['outcome'])) if more else ''))
               if items else ''))
    html.append('</section>')
    return ''.join(html)


def _vendor(vendor):
    outcomes = sorted(vendor['totals'])
    head = ''.join('<th scope="col">%s</th>' % esc(outcome) for outcome in outcomes)
    totals = ''.join('<td class="num" data-outcome="%s">%d</td>' % (esc(o), vendor['totals'][o]) for o in outcomes)
    groups = ''.join('<tr><th scope="row">%s</th>%s<td class="num">%d</td></tr>' % (
        esc(group['group'] or '-'), ''.join('<td class="num">%d</td>' % group['outcomes'].get(o, 0) for o in outcomes),
        group['items']) for group in vendor['groups'])
    notes = ''.join('<p class="note">%s</p>' % esc(note) for note in vendor['notes'])
    return ('<article class="vendor" id="vendor-%s" data-vendor="%s"><h3>%s %s</h3><p class="headline">%s</p>%s%s'
            '<div class="table-wrap"><table class="totals"><caption>Totals per outcome</caption><thead><tr><th></th>%s'
            '<th scope="col">items</th></tr></thead><tbody><tr><th scope="row">all</th>%s<td class="num" data-total="items">%d</td>'
            '</tr></tbody></table></div><details%s><summary>Per %s (%d)</summary><div class="table-wrap"><table>'
            '<thead><tr><th scope="col">%s</th>%s<th scope="col">items</th></tr></thead><tbody>%s</tbody></table></div></details>'
            '</article>'
            % (esc(vendor['chore']), esc(vendor['chore']), SYMBOLS['failed'] if vendor['status'] == 'failed' else SYMBOLS['done'],
               esc(vendor['title']), esc(vendor['headline']), notes, picture(vendor), head, totals, vendor['items'],
               ' open' if len(vendor['groups']) <= 30 else '', esc(vendor['group_name']), len(vendor['groups']),
               esc(vendor['group_name'].capitalize()), head, groups))


def _items_section(vendor, title, rows):
    outcomes = sorted(set(row['outcome'] for row in rows))
    options = ''.join('<option value="%s">%s</option>' % (esc(o), esc(o)) for o in outcomes)
    heads = ''.join('<th scope="col"><button type="button" data-column="%s">%s</button></th>' % (field, COLUMN_TITLES[field])
                    for field in ITEM_FIELDS[1:])
    return ('<section class="items" id="items-%s" data-vendor="%s" aria-labelledby="items-%s-title">'
            '<h3 id="items-%s-title">%s: %d item%s</h3><div class="controls">'
            '<label>Search (id, name, account, reason...)<input type="search" autocomplete="off" aria-controls="table-%s"></label>'
            '<label>Outcome<select aria-controls="table-%s"><option value="">all outcomes</option>%s</select></label>'
            '<div class="pager"><button type="button" class="prev">Previous page</button>'
            '<button type="button" class="next">Next page</button></div><span class="shown" aria-live="polite"></span></div>'
            '<p class="print-note">Printed: the current page of this table; every row is in fleet-items.csv.</p>'
            '<div class="table-wrap"><table id="table-%s"><thead><tr>%s</tr></thead><tbody></tbody></table></div></section>'
            % (esc(vendor), esc(vendor), esc(vendor), esc(vendor), esc(title), len(rows), '' if len(rows) == 1 else 's',
               esc(vendor), esc(vendor), options, esc(vendor), heads))


def _json_for_script(value):
    """JSON that cannot end the <script> element it sits in."""
    return json.dumps(value, ensure_ascii=False, separators=(',', ':')).replace('<', '\\u003c').replace('>', '\\u003e')


def render(report, rows):
    """The HTML page of the run report (a str)."""
    by_vendor = {}
    for row in rows:
        by_vendor.setdefault(row['vendor'], []).append(row)
    titles = dict(VENDOR_TITLES)
    tables = [(vendor, titles.get(vendor, vendor)) for vendor, title in VENDOR_TITLES if vendor in by_vendor]
    data = dict(columns=list(ITEM_FIELDS[1:]), symbols=SYMBOLS,
                classes=dict((row['outcome'], status_class(row['outcome'])) for row in rows),
                rows=dict((vendor, [[row[field] for field in ITEM_FIELDS[1:]] for row in vendor_rows])
                          for vendor, vendor_rows in by_vendor.items()))
    title = 'Fleet run report: %s%s' % (report['status'].upper(), ' (plan)' if report['mode'] == 'plan' else '')
    return ''.join([
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
        'script-src \'unsafe-inline\'; img-src data:">',
        '<title>%s</title><style>%s</style></head><body>' % (esc(title), CSS),
        '<header class="run %s"><h1>Fleet maintenance run report</h1>%s' % (esc(report['status']), _facts(report)),
        '<nav class="toc" aria-label="Sections"><a href="#failures">Failures</a><a href="#vendors">Vendors</a>'
        '<a href="#items">Items</a></nav></header><main>',
        _failures(report['failure_groups']),
        '<section id="vendors" aria-labelledby="vendors-title"><h2 id="vendors-title">Per vendor</h2>',
        ''.join(_vendor(vendor) for vendor in report['vendors']) or '<p>No chore ran.</p>',
        '</section><section id="items" aria-labelledby="items-title"><h2 id="items-title">Items</h2>',
        ''.join(_items_section(vendor, title_, by_vendor[vendor]) for vendor, title_ in tables) or '<p>No item.</p>',
        '</section><p><small>Generated %s by fleetops.maintenance (report format %s). The same data: '
        'fleet-report.json; one row per item: fleet-items.csv.</small></p></main>'
        % (esc(report['generated_at']), report['format_version']),
        '<script type="application/json" id="fleet-rows">%s</script>' % _json_for_script(data),
        '<script>%s</script></body></html>' % SCRIPT,
    ]) + '\n'
