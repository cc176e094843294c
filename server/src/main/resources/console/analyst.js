// dpq console, analyst views: own datasets and allocation, explain-then-run editor, results, CSV, own history.
'use strict';
(function () {
  const DPQ = window.DPQ = window.DPQ || {};
  const { el, $, clear, api, enc, num, row } = DPQ;
  let explained = null; // {dataset, sql, epsilon} that the shown explanation is for
  let lastResult = null;

  function shape(e) {
    const words = [];
    switch (e.partitionMode) {
      case 'NONE': words.push('One row: the query has no GROUP BY.'); break;
      case 'PUBLIC_DOMAIN': words.push('Groups: exactly the declared public keys are released, whether or not ' +
        'they occur in the data.'); break;
      case 'THRESHOLD': words.push('Groups: a group is released only if its noisy count of people clears ' +
        (e.threshold === null ? 'the threshold' : e.threshold) + '; rarer groups are left out.'); break;
      default: words.push('Groups: ' + e.partitionMode + '.');
    }
    words.push('Each person\'s contribution is bounded as the dataset declares (groups per person, rows per ' +
      'group, value ranges) before ' + e.measurements.length + ' noisy measurement' +
      (e.measurements.length === 1 ? '' : 's') + ' ' + (e.measurements.length === 1 ? 'is' : 'are') + ' taken.');
    return words.join(' ');
  }

  function costText(loss) {
    return 'epsilon ' + loss.epsilon + (Number(loss.delta) > 0 ? ', delta ' + loss.delta : '');
  }

  function request() {
    const body = { sql: $('sql').value };
    const eps = $('epsilon').value.trim();
    if (eps) { body.epsilon = eps; }
    return body;
  }

  function invalidate() {
    explained = null;
    $('run').disabled = true;
    $('run').textContent = 'Run';
  }

  async function explain() {
    invalidate();
    const dataset = $('dataset').value;
    const body = request();
    const e = await api('POST', '/v1/datasets/' + enc(dataset) + '/explain', body);
    $('explain-panel').hidden = false;
    $('explain-cost').textContent = 'Cost: ' + costText(e.total) + '. You would have ' +
      'epsilon ' + num(Number(e.remaining.epsilon) - Number(e.total.epsilon)) + ' left of epsilon ' +
      num(e.remaining.epsilon) + '.';
    $('explain-shape').textContent = shape(e);
    const tbody = $('explain-table').tBodies[0];
    clear(tbody);
    for (const m of e.measurements) {
      tbody.appendChild(row([m.name, m.mechanism.toLowerCase(), num(m.epsilon), '± ' + num(m.halfWidth95)]));
    }
    clear($('explain-warnings'));
    if (e.groupLimitChosenAtRunTime) {
      $('explain-warnings').appendChild(el('li', {}, 'Each person\'s groups are limited at run time; the same ' +
        'groups are kept whichever plan the backend uses.'));
    }
    $('explain-sql').textContent = e.boundedSql;
    explained = { dataset, sql: body.sql, epsilon: body.epsilon };
    $('run').textContent = 'Run (costs ' + costText(e.total) + ')';
    $('run').disabled = false;
  }

  async function run() {
    if (!explained) { return; }
    const body = { sql: explained.sql };
    if (explained.epsilon) { body.epsilon = explained.epsilon; }
    const dataset = explained.dataset;
    invalidate();
    const r = await api('POST', '/v1/datasets/' + enc(dataset) + '/query', body);
    lastResult = r;
    showResult(r);
    await refresh();
  }

  function showResult(r) {
    $('result-panel').hidden = false;
    $('result-cost').textContent = (r.reused ? 'Reused an earlier release (charged nothing new). '
      : 'Charged ' + costText(r.cost) + '. ') + 'Remaining: epsilon ' + num(r.remaining.epsilon) + '.';
    const table = $('result-table');
    clear(table.tHead);
    clear(table.tBodies[0]);
    table.tHead.appendChild(el('tr', {}, ...r.columns.map(c => el('th', {}, c))));
    r.rows.forEach((values, i) => {
      const tr = el('tr', {});
      values.forEach((v, j) => {
        const ci = r.ci95[i][j];
        const td = el('td', {}, el('span', { class: 'value' }, v === null ? 'NULL' : String(v)));
        if (ci) { td.appendChild(el('span', { class: 'ci' }, ' [' + num(ci[0]) + ', ' + num(ci[1]) + ']')); }
        tr.appendChild(td);
      });
      table.tBodies[0].appendChild(tr);
    });
    const chart = $('result-chart');
    clear(chart);
    const hasCi = j => r.rows.some((_, i) => r.ci95[i][j]);
    const key = r.columns.findIndex((_, j) => !hasCi(j));
    const val = r.columns.findIndex((_, j) => hasCi(j));
    if (key >= 0 && val >= 0 && r.rows.length > 0) {
      DPQ.bars(chart, r.columns[val], r.rows.map(x => String(x[key])), r.rows.map(x => Number(x[val])),
        r.ci95.map(c => c[val] ? c[val][0] : NaN), r.ci95.map(c => c[val] ? c[val][1] : NaN));
    }
  }

  /** A CSV field: quoted when needed; text that a spreadsheet would run as a formula is prefixed with '. */
  function field(v) {
    let s = v === null || v === undefined ? '' : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) { s = '\'' + s; }
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function csv(r) {
    const withCi = r.columns.map((_, j) => r.rows.some((_, i) => r.ci95[i][j]));
    const header = [];
    r.columns.forEach((c, j) => { header.push(c); if (withCi[j]) { header.push(c + '_ci95_low', c + '_ci95_high'); } });
    const lines = [header.map(field).join(',')];
    r.rows.forEach((values, i) => {
      const out = [];
      values.forEach((v, j) => {
        out.push(v);
        if (withCi[j]) { const ci = r.ci95[i][j]; out.push(ci ? ci[0] : null, ci ? ci[1] : null); }
      });
      lines.push(out.map(field).join(','));
    });
    return lines.join('\r\n') + '\r\n';
  }

  function download() {
    if (!lastResult) { return; }
    const url = URL.createObjectURL(new Blob([csv(lastResult)], { type: 'text/csv' }));
    const a = el('a', { href: url, download: 'dpq-result.csv' });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async function refresh() {
    const names = (await api('GET', '/v1/datasets')).datasets;
    const body = $('my-datasets').tBodies[0];
    clear(body);
    const select = $('dataset');
    const keep = select.value;
    clear(select);
    for (const name of names) {
      const b = await api('GET', '/v1/datasets/' + enc(name) + '/budget');
      const s = b.status;
      body.appendChild(row([name, num(s.total.epsilon), num(s.spent.epsilon), num(s.remaining.epsilon),
        num(s.remaining.delta)]));
      select.appendChild(el('option', { value: name }, name));
    }
    if (names.includes(keep)) { select.value = keep; }
    await history();
  }

  async function history() {
    const dataset = $('dataset').value;
    const body = $('my-history').tBodies[0];
    if (!dataset) { clear(body); return; }
    const entries = await api('GET', '/v1/datasets/' + enc(dataset) + '/history/mine');
    if ($('dataset').value !== dataset) { return; } // another dataset was chosen meanwhile
    clear(body);
    for (const e of entries.slice().reverse()) {
      const text = e.sql || e.note || (e.refersTo ? 'for query #' + e.refersTo : '');
      body.appendChild(row([String(e.sequence), e.time ? e.time.replace('T', ' ').replace('Z', '') : '', e.kind,
        el('code', {}, text), e.cost ? num(e.cost.epsilon) : '']));
    }
  }

  function guarded(fn) {
    return async (ev) => {
      if (ev) { ev.preventDefault(); }
      DPQ.showError('');
      try { await fn(); } catch (e) { DPQ.showError(e.message); }
    };
  }

  DPQ.analyst = {
    start: guarded(async () => {
      $('query-form').addEventListener('submit', guarded(explain));
      $('run').addEventListener('click', guarded(run));
      $('download-csv').addEventListener('click', download);
      for (const id of ['sql', 'epsilon']) { $(id).addEventListener('input', invalidate); }
      $('dataset').addEventListener('change', guarded(async () => { invalidate(); await history(); }));
      await refresh();
    })
  };
})();
