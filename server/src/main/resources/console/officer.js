// dpq console, officer views: balances of every dataset, burn-down, allocations, ledger history, verify, raise.
'use strict';
(function () {
  const DPQ = window.DPQ = window.DPQ || {};
  const { el, $, clear, api, enc, num, row } = DPQ;
  let current = null;
  let history = [];

  async function overview() {
    const names = (await api('GET', '/v1/datasets')).datasets;
    const body = $('datasets-table').tBodies[0];
    clear(body);
    const select = $('officer-dataset');
    const keep = select.value;
    clear(select);
    for (const name of names) {
      const b = await api('GET', '/v1/datasets/' + enc(name) + '/budget');
      const s = b.status;
      body.appendChild(row([name, num(s.total.epsilon), num(s.spent.epsilon), num(s.remaining.epsilon),
        num(s.total.delta), num(s.spent.delta), num(s.remaining.delta), String(s.entries)]));
      select.appendChild(el('option', { value: name }, name));
    }
    if (names.includes(keep)) { select.value = keep; }
    return names;
  }

  async function showDataset(name) {
    current = name;
    $('verify-result').textContent = '';
    const b = await api('GET', '/v1/datasets/' + enc(name) + '/budget');
    if (current !== name) { return; } // another dataset was chosen meanwhile: its answer wins
    const body = $('allocations-table').tBodies[0];
    clear(body);
    const names = $('analyst-names');
    clear(names);
    for (const a of b.allocations) {
      body.appendChild(row([a.analyst, num(a.allocated.epsilon), num(a.spent.epsilon), num(a.remaining.epsilon),
        num(a.allocated.delta), num(a.remaining.delta)]));
      names.appendChild(el('option', { value: a.analyst }));
    }
    const entries = await api('GET', '/v1/datasets/' + enc(name) + '/history');
    if (current !== name) { return; }
    history = entries;
    DPQ.burnDown($('burndown'), $('burndown-legend'), history);
    const analysts = [...new Set(history.map(e => e.analyst).filter(a => a))];
    const filter = $('filter-analyst');
    const keep = filter.value;
    clear(filter);
    filter.appendChild(el('option', { value: '' }, 'all'));
    analysts.forEach(a => filter.appendChild(el('option', { value: a }, a)));
    if (analysts.includes(keep)) { filter.value = keep; }
    renderHistory();
  }

  function measurements(e) {
    if (!e.measurements || e.measurements.length === 0) { return ''; }
    return el('ul', { class: 'measurements' }, ...e.measurements.map(m =>
      el('li', {}, m.name + ' (' + m.mechanism.toLowerCase() + '): ε ' + num(m.epsilon) +
        (Number(m.delta) > 0 ? ', δ ' + num(m.delta) : ''))));
  }

  function renderHistory() {
    const analyst = $('filter-analyst').value, kind = $('filter-kind').value;
    const from = $('filter-from').value, to = $('filter-to').value;
    const body = $('history-table').tBodies[0];
    clear(body);
    for (const e of history.slice().reverse()) {
      const day = e.time ? e.time.slice(0, 10) : '';
      if ((analyst && e.analyst !== analyst) || (kind && e.kind !== kind) || (from && day < from) || (to && day > to)) {
        continue;
      }
      const text = e.sql || e.note || (e.refersTo ? 'for charge #' + e.refersTo : '');
      const cost = e.cost ? 'ε ' + num(e.cost.epsilon) + (Number(e.cost.delta) > 0 ? ', δ ' + num(e.cost.delta) : '') : '';
      const tr = row([String(e.sequence), e.time ? e.time.replace('T', ' ').replace('Z', '') : '', e.kind,
        e.analyst || '', el('code', {}, text), measurements(e) || '', cost]);
      tr.setAttribute('data-kind', e.kind);
      body.appendChild(tr);
    }
  }

  async function refresh() {
    const names = await overview();
    const name = $('officer-dataset').value || names[0];
    if (name) { await showDataset(name); }
  }

  function guarded(fn) {
    return async (ev) => {
      if (ev) { ev.preventDefault(); }
      DPQ.showError('');
      try { await fn(); } catch (e) { DPQ.showError(e.message); }
    };
  }

  DPQ.officer = {
    start: guarded(async () => {
      $('officer-dataset').addEventListener('change', guarded(() => showDataset($('officer-dataset').value)));
      for (const id of ['filter-analyst', 'filter-kind', 'filter-from', 'filter-to']) {
        $(id).addEventListener('change', renderHistory);
      }
      $('alloc-form').addEventListener('submit', guarded(async () => {
        $('alloc-status').textContent = '';
        const a = await api('POST', '/v1/datasets/' + enc(current) + '/allocations', {
          analyst: $('alloc-analyst').value.trim(), epsilon: $('alloc-epsilon').value.trim(),
          delta: $('alloc-delta').value.trim() || '0', reason: $('alloc-reason').value
        });
        $('alloc-status').textContent = a.analyst + ' now has ε ' + num(a.allocated.epsilon) + ' (remaining ε ' +
          num(a.remaining.epsilon) + ')';
        await refresh();
      }));
      $('raise-form').addEventListener('submit', guarded(async () => {
        $('raise-status').textContent = '';
        const s = await api('POST', '/v1/datasets/' + enc(current) + '/raise', {
          epsilon: $('raise-epsilon').value.trim(), delta: $('raise-delta').value.trim() || '0',
          reason: $('raise-reason').value
        });
        $('raise-status').textContent = 'The total is now ε ' + num(s.total.epsilon) + ', δ ' + num(s.total.delta);
        await refresh();
      }));
      $('verify').addEventListener('click', guarded(async () => {
        $('verify-result').textContent = 'verifying…';
        const v = await api('POST', '/v1/datasets/' + enc(current) + '/verify', {});
        const box = $('verify-result');
        box.className = 'status ' + (v.ok ? 'ok' : 'bad');
        box.textContent = v.ok ? 'OK: ' + v.entriesChecked + ' entries, the hash chain and the balances hold'
          : 'FAILED at entry ' + v.firstBadSequence + ': ' + v.problem;
      }));
      await refresh();
    })
  };
})();
