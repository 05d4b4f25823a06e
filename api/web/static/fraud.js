/*
 * Fraud analyst workbench page (#/fraud, SPEC §15): the three fraud reports with their
 * filters and paging, each row's explanation, flag history and review controls, the
 * phone number -> doctors link, and "Download CSV". Plain JavaScript, no build step.
 *
 * Built on app.js's pieces (window.KPI: DOM helpers, the section loader, the API client);
 * app.js's router calls KPI.renderFraud for #/fraud. Every value is shown as the API sends
 * it (dbt computed it), null as "No data".
 * The DOM is built with createElement/textContent only.
 */
"use strict";

(function () {
  const app = window.KPI;
  const { h, replace, NO_DATA, state: appState } = app;
  const API = "/v1/fraud-reports";
  const PAGE_SIZE = 10;
  const VERDICTS = [
    ["under_review", "Under review"],
    ["false_positive", "False positive"],
    ["referred", "Referred"],
    ["recovered", "Recovered"],
  ];
  const VERDICT_LABEL = Object.fromEntries(VERDICTS);

  // ------------------------------------------------------------------ reports
  // Per report: its tab label, filters (with their query parameter), table columns.
  const num = (key) => (row) => formatNumber(row[key]);
  const REPORTS = {
    authorizations: {
      label: "Offline authorizations",
      filters: { type: "DOCTOR", settlement_type: "CITY" },
      columns: [
        ["Doctor / legal entity", (r) => (r.party_id ? `${r.party_id} · ${r.legal_entity_id}` : r.legal_entity_id)],
        ["Settlement", (r) => r.settlement_type],
        ["Patients", num("patients_qty")],
        ["Offline", num("offline_patients_qty")],
        ["Offline share", (r) => formatPercent(r.ratio_offline_patients_qty)],
      ],
    },
    "phone-numbers": {
      label: "Shared phone numbers",
      filters: {},
      columns: [
        ["Phone number", (r) => r.phone_number],
        ["Patients", num("patients_qty")],
      ],
    },
    doctors: {
      label: "Patient growth",
      filters: { min_patients_qty: "", min_patient_increase_30d: "", min_patient_increase_30d_0: "" },
      columns: [
        ["Doctor · legal entity", (r) => `${r.party_id} · ${r.legal_entity_id}`],
        ["Patients", num("patients_qty")],
        ["New 30 d", num("new_30")],
        ["Previous 60 d", num("new_prev_60")],
        ["Increase", num("patient_increase_30d")],
        ["Increase (none before)", num("patient_increase_30d_0")],
      ],
    },
  };

  const state = { report: "authorizations", filters: {}, page: 1, includeReviewed: false };
  for (const [key, report] of Object.entries(REPORTS)) state.filters[key] = { ...report.filters };

  // 1234 -> "1234", 0.1166666667 -> "0.1167" (4 decimals at most), null -> "No data"
  function formatNumber(value) {
    if (value === null || value === undefined) return NO_DATA;
    return String(Math.round(value * 1e4) / 1e4);
  }

  function formatPercent(value) {
    return value === null || value === undefined ? NO_DATA : `${(value * 100).toFixed(1)}%`;
  }

  function formatStatus(row) {
    if (!row.flag_status) return "—";
    return row.flag_status === "recurring" ? `Recurring (${row.consecutive_reports}×)` : "New";
  }

  function params(extra) {
    const filters = state.filters[state.report];
    return { ...filters, include_reviewed: state.includeReviewed ? "true" : "", ...extra };
  }

  // ------------------------------------------------------------------- page

  function render() {
    const seq = ++appState.seq;
    const view = document.getElementById("view");
    const tabs = h("div", { class: "tabs", role: "tablist", testid: "fraud-tabs" });
    const filters = h("div", { class: "controls", testid: "fraud-filters" });
    const body = h("div", { testid: "fraud-body" });
    const detail = h("section", { class: "card", testid: "fraud-detail", hidden: true });
    const csvError = h("p", { class: "message bad", testid: "fraud-csv-error", hidden: true });
    const load = app.pagedSection(seq, body, state, {
      request: () => app.request(`${API}/${state.report}`, params({ page: state.page, per_page: PAGE_SIZE })),
      table: (items) => reportTable(items, (row) => showDetail(seq, detail, row, load)),
      noun: ["row", "rows"],
      pagerTestid: "fraud-pager",
    });
    const switchTo = (key) => {
      app.refilter(state, { report: key }, () => {
        detail.hidden = true;
        drawTabs();
        drawFilters(filters, load);
        load();
      });
    };
    const drawTabs = () =>
      replace(
        tabs,
        Object.entries(REPORTS).map(([key, report]) =>
          h("button", {
            type: "button",
            role: "tab",
            class: "tab",
            "aria-selected": key === state.report ? "true" : "false",
            testid: `fraud-tab-${key}`,
            text: report.label,
            onclick: () => switchTo(key),
          }),
        ),
      );
    const download = h("button", {
      type: "button",
      class: "button",
      text: "Download CSV",
      testid: "fraud-csv",
      onclick: () => downloadCsv(csvError),
    });
    replace(
      view,
      h(
        "section",
        { class: "fraud", testid: "fraud" },
        h("div", { class: "page-head" }, h("h1", { text: "Fraud reports" }), download),
        h("section", { class: "card" }, tabs, filters, csvError, body),
        detail,
      ),
    );
    drawTabs();
    drawFilters(filters, load);
    load();
  }

  // The current report's filters; a change reloads from page 1.
  function drawFilters(container, load) {
    const filters = state.filters[state.report];
    const choice = (key, options) => {
      const el = app.select({ testid: `fraud-filter-${key}`, "aria-label": key }, options, filters[key]);
      el.addEventListener("change", () => {
        filters[key] = el.value;
        state.page = 1;
        load();
      });
      return el;
    };
    const minimum = (key, label) => {
      const el = h("input", { type: "number", min: "0", step: "any", testid: `fraud-filter-${key}`, value: filters[key] });
      el.value = filters[key];
      el.addEventListener(
        "input",
        app.debounce(() => { filters[key] = el.value; state.page = 1; load(); }, 300),
      );
      return app.field(label, el, true);
    };
    const reviewed = h("input", { type: "checkbox", testid: "fraud-include-reviewed" });
    reviewed.checked = state.includeReviewed;
    reviewed.addEventListener("change", () => {
      state.includeReviewed = reviewed.checked;
      state.page = 1;
      load();
    });
    const own = {
      authorizations: () => [
        app.field("Report on", choice("type", [["DOCTOR", "Doctors"], ["LEGAL_ENTITY", "Legal entities"]]), true),
        app.field("Settlement", choice("settlement_type", [["CITY", "City"], ["OTHER", "Other"]]), true),
      ],
      "phone-numbers": () => [],
      doctors: () => [
        minimum("min_patients_qty", "Min. patients"),
        minimum("min_patient_increase_30d", "Min. increase"),
        minimum("min_patient_increase_30d_0", "Min. increase (none before)"),
      ],
    }[state.report]();
    replace(container, own, app.field("Show false positives", reviewed, true));
  }

  function reportTable(items, open) {
    const columns = REPORTS[state.report].columns;
    const heads = [{ class: "num", text: "#" }, ...columns.map(([label]) => label), "Outlier score", "Status", "Verdict"];
    return app.dataTable(
      { testid: "fraud-table" },
      heads,
      items.map((row) =>
        h(
          "tr",
          {
            class: "clickable",
            tabindex: "0",
            testid: "fraud-row",
            "data-row-id": row.row_id,
            onclick: () => open(row),
            onkeydown: (event) => event.key === "Enter" && open(row),
          },
          h("td", { class: "num rank", text: String(row.report_rank) }),
          columns.map(([, cell]) => h("td", { text: cell(row) })),
          h("td", { text: formatNumber(row.outlier_score) }),
          h("td", { testid: "fraud-status", text: formatStatus(row) }),
          h("td", { testid: "fraud-verdict", text: row.review_verdict ? VERDICT_LABEL[row.review_verdict] : "—" }),
        ),
      ),
      "No rows in this report.",
    );
  }

  // ----------------------------------------------------------------- a row
  // Its explanation (why it is flagged), its history, its review, and for a phone number
  // the doctors holding its persons' declarations.
  function showDetail(seq, detail, row, reload) {
    detail.hidden = false;
    const facts = [
      ["Report rank", row.report_rank],
      ["Reported", row.is_reported ? "Yes" : "No"],
      ["Rows in the partition", row.partition_rows],
      ["Reported rows (cap)", row.report_cap],
      ["Cut-off value", formatNumber(row.report_cutoff_value)],
      ["Partition median", formatNumber(row.partition_median)],
      ["Partition MAD", formatNumber(row.partition_mad)],
      ["Outlier score", formatNumber(row.outlier_score)],
      ["Outlier threshold", formatNumber(row.outlier_threshold)],
      ["Statistical outlier", row.is_statistical_outlier ? "Yes" : "No"],
      ["Flag status", formatStatus(row)],
      ["First reported", row.first_reported_date ? app.formatDate(row.first_reported_date) : "—"],
      ["Consecutive reports", row.consecutive_reports === null ? "—" : row.consecutive_reports],
    ];
    const links = h("div", { testid: "fraud-links" });
    replace(
      detail,
      app.cardHead(`Row ${row.row_id}`, h("button", { type: "button", class: "button small", text: "Close", onclick: () => { detail.hidden = true; } })),
      h(
        "dl",
        { class: "facts", testid: "fraud-explanation" },
        facts.map(([label, value]) => h("div", {}, h("dt", { text: label }), h("dd", { "data-fact": label, text: String(value) }))),
      ),
      reviewForm(row, reload),
      links,
    );
    if (state.report === "phone-numbers") loadLinks(seq, links, row.phone_number);
    detail.scrollIntoView({ block: "nearest" });
  }

  function reviewForm(row, reload) {
    const verdict = app.select({ testid: "review-verdict", "aria-label": "Verdict" }, VERDICTS, row.review_verdict || "under_review");
    const note = h("textarea", { rows: 2, maxlength: "2000", testid: "review-note", "aria-label": "Note" });
    const result = h("p", { class: "hint", testid: "review-result" });
    const latest = row.review_verdict
      ? `Latest: ${VERDICT_LABEL[row.review_verdict]} by ${row.reviewed_by} on ${app.formatDate(row.reviewed_at.slice(0, 10))}${row.review_note ? ` — ${row.review_note}` : ""}`
      : "Not reviewed yet.";
    let key = crypto.randomUUID(); // one per intended review: a retried click adds no row
    const submit = async (event) => {
      event.preventDefault();
      try {
        await app.request(`${API}/${state.report}/${encodeURIComponent(row.row_id)}/reviews`, null, {
          method: "POST",
          body: { verdict: verdict.value, note: note.value.trim() || null },
          headers: { "Idempotency-Key": key },
        });
        key = crypto.randomUUID();
        result.textContent = `Saved: ${VERDICT_LABEL[verdict.value]}.`;
        reload();
      } catch (err) {
        result.textContent = err.message;
      }
    };
    return h(
      "form",
      { class: "review", testid: "review-form", onsubmit: submit },
      h("h3", { text: "Review" }),
      h("p", { class: "hint", testid: "review-latest", text: latest }),
      h("div", { class: "controls" }, app.field("Verdict", verdict, true), note,
        h("button", { type: "submit", class: "button primary", text: "Save review", testid: "review-submit" })),
      result,
    );
  }

  function loadLinks(seq, target, phone) {
    const load = app.sectionLoader(
      seq,
      target,
      () => app.request(`${API}/phone-numbers/${encodeURIComponent(phone)}/doctors`),
      (data) => [
        h("h3", { text: "Doctors holding these patients" }),
        app.dataTable(
          { testid: "fraud-link-doctors" },
          ["Doctor", "Legal entity", "Patients"],
          data.doctors.map((d) => h("tr", {}, h("td", { text: d.party_id }), h("td", { text: d.legal_entity_id }), h("td", { text: String(d.patients_qty) }))),
          "No doctor holds a declaration of these patients.",
        ),
        h("h3", { text: "Per legal entity" }),
        app.dataTable(
          { testid: "fraud-link-legal-entities" },
          ["Legal entity", "Patients"],
          data.legal_entities.map((e) => h("tr", {}, h("td", { text: e.legal_entity_id }), h("td", { text: String(e.patients_qty) }))),
          "None.",
        ),
      ],
    );
    load();
  }

  // --------------------------------------------------------------- download
  // The whole list (every matching row, not the page) as the API's CSV, saved as a file:
  // fetched with the bearer token (a plain link could not send it), then handed over.
  async function downloadCsv(error) {
    error.hidden = true;
    try {
      const response = await app.request(`${API}/${state.report}`, params({ format: "csv" }), { raw: true });
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: `fraud-${state.report}.csv`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      error.hidden = false;
      error.textContent = err.message;
    }
  }

  app.renderFraud = render;
})();
