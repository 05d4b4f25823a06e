// "Why it moved" and "how much of it is noise" (SPEC §12) for the Leader Hub page: the
// "n = …" under a metric, a week change within noise greyed out with its interval in a
// tooltip, and a click on a week change opening the visits that entered and left the
// window (…/changes). leaderhub.js decorates its tiles and ranking rows with
// kpiWhy.decorateTile / kpiWhy.decorateRankingChange; the DOM is built with the page's
// helpers (window.KPI, app.js and sections.js), read when a decoration runs.
(function () {
  "use strict";

  // The metrics with a drill-down (the `metric` values of …/changes)
  const DRILL_DOWN = ["on_scene_time", "chart_closure_rate", "survey_capture_rate", "net_promoter_score"];
  const ui = new Proxy({}, { get: (_, name) => window.KPI[name] });

  // The count a metric rests on: answered surveys for NPS, visits otherwise
  function countOf(key, data) {
    return key === "net_promoter_score" ? data.survey_answer_count : data.visit_count;
  }

  function nLine(key, count, testid) {
    if (typeof count !== "number") return null;
    const noun = key === "net_promoter_score" ? "answers" : "visits";
    return ui.h("span", { class: "n-count", testid, title: `${count} ${noun}`, text: `n = ${count}` });
  }

  // Greys out a change within noise and says why; any change with an interval gets it as
  // a tooltip ("95 % interval 31–36 min").
  function markNoise(el, key, low, high, within) {
    const kind = ui.METRICS[key].kind;
    if (typeof low !== "number" || typeof high !== "number") return;
    const interval = `95 % interval ${ui.formatValue(kind, low)} \u2013 ${ui.formatValue(kind, high)}`;
    el.setAttribute("data-ci-low", String(low));
    el.setAttribute("data-ci-high", String(high));
    if (within === true) {
      el.classList.add("within-noise");
      el.setAttribute("data-noise", "true");
      el.title = `Within noise: last week's value is inside this week's ${interval}`;
    } else {
      el.setAttribute("data-noise", within === false ? "false" : "unknown");
      el.title = `${interval}; last week's value is outside it`;
    }
  }

  function clickable(el, open) {
    el.classList.add("why-link");
    el.setAttribute("role", "button");
    el.setAttribute("tabindex", "0");
    el.addEventListener("click", (e) => {
      e.stopPropagation(); // a ranking row would open the provider's page
      open();
    });
    el.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.stopPropagation();
        open();
      }
    });
  }

  // A market tile (or any tile with a week change): n, noise, and the drill-down on click.
  function decorateTile(tile, key, data, basePath) {
    const m = ui.METRICS[key];
    if (!m.change) return;
    const n = nLine(key, countOf(key, data), `tile-${key}-n`);
    if (n) tile.querySelector(".tile-value").after(n);
    const change = tile.querySelector(`[data-testid="tile-${key}-change"]`);
    if (!change) return;
    markNoise(change, key, data[`${m.value}_ci_low`], data[`${m.value}_ci_high`], data[`${m.change}_within_noise`]);
    if (DRILL_DOWN.includes(key) && typeof data[m.change] === "number") {
      clickable(change, () => openWhy(basePath, key, data[m.change]));
    }
  }

  // A ranking row's value and change cells (the row carries ci_low, ci_high, count).
  function decorateRankingChange(valueCell, changeCell, key, row, marketId) {
    const n = typeof row.value === "number" ? nLine(key, row.count, "ranking-n") : null;
    if (n) valueCell.append(" ", n);
    markNoise(changeCell, key, row.ci_low, row.ci_high, row.week_change_within_noise);
    if (DRILL_DOWN.includes(key) && typeof row.week_change === "number") {
      const path = `/markets/${marketId}/providers/${row.provider.provider_id}`;
      clickable(changeCell, () => openWhy(path, key, row.week_change));
    }
  }

  // ------------------------------------------------------------------ the dialog

  const COLUMNS = [
    ["on_scene_time", "On scene", (v) => ui.formatValue("duration", v.on_scene_seconds)],
    ["chart_closure_rate", "Chart closed \u2264 24 h", (v) => ui.yesNo(v.is_chart_closed_within_24h)],
    ["survey_capture_rate", "Survey", (v) => ui.yesNo(v.has_survey)],
    ["net_promoter_score", "NPS answer", (v) => (v.nps_answer === null ? ui.NO_DATA : String(v.nps_answer))],
  ];

  function summaryText(key, s) {
    const kind = ui.METRICS[key].kind;
    const group = (count, value, verb) =>
      `${count} visit${count === 1 ? "" : "s"} ${verb}` + (count ? ` (${ui.formatValue(kind, value)})` : "");
    return `${group(s.entered_count, s.entered_value, "entered")} \u00B7 ${group(s.left_count, s.left_value, "left")}`;
  }

  function visitRow(key, v) {
    return ui.h(
      "tr",
      { testid: "why-row", "data-direction": v.direction, "data-care-request-id": v.care_request_id },
      ui.h("td", {}, ui.h("span", { class: `badge ${v.direction}`, text: v.direction === "entered" ? "Entered" : "Left" })),
      ui.h("td", { text: `${ui.formatDate(v.service_date)} ${ui.formatTime(v.completed_at)}` }),
      COLUMNS.map(([metric, , cell]) =>
        ui.h("td", { class: metric === key ? "moved" : "", "data-metric": metric, text: cell(v) }),
      ),
    );
  }

  async function openWhy(basePath, key, change) {
    const m = ui.METRICS[key];
    const content = ui.h("div", { class: "modal-body", testid: "why-body" }, ui.messageBox("Loading\u2026"));
    const head = ui.h(
      "div",
      {},
      ui.h("h2", { id: "modal-title", testid: "modal-title", text: `Why it moved \u00B7 ${m.label}` }),
      ui.h("p", {
        class: "muted",
        text: `${ui.formatChange(m.kind, change)} vs 7 days earlier: the visits that entered the window and those that left it`,
      }),
    );
    const backdrop = ui.openModal(head, content);
    let data;
    try {
      data = await ui.api(`${basePath}/changes`, { metric: key, per_page: 100 });
    } catch (err) {
      if (backdrop.isConnected) ui.replace(content, ui.errorMessage(err));
      return;
    }
    if (!backdrop.isConnected) return;
    const more = data.total > data.items.length ? `Showing the newest ${data.items.length} of ${data.total}.` : null;
    ui.replace(
      content,
      ui.h("p", { testid: "why-summary", text: summaryText(key, data.summary) }),
      ui.dataTable(
        { testid: "why-table" },
        ["", "Completed", ...COLUMNS.map(([, label]) => label)],
        data.items.map((v) => visitRow(key, v)),
        "No visit entered or left the window.",
      ),
      more && ui.h("p", { class: "muted", text: more }),
    );
  }

  window.kpiWhy = { decorateTile, decorateRankingChange, openWhy };
})();
