/*
 * Sections the individual page and the personal hub share: the visits list, the shift
 * list, and the shift timeline modal. Plain JavaScript over the helpers app.js exposes as
 * window.KPI (loaded first); the DOM is built with textContent only.
 */
"use strict";

(function () {
  const KPI = window.KPI;
  const {
    h, replace, select, field, cardHead, controls, debounce, refilter, pagedSection, dataTable,
    messageBox, errorMessage, formatDate, formatTime, formatDuration, formatDayMonth,
    epochSeconds, clock, isNum, yesNo, request, NO_DATA,
  } = KPI;
  const VISITS_PAGE_SIZE = 10;
  const SHIFTS_PAGE_SIZE = 10; // the seed: at most 10 shifts per page
  const PHASES = {
    en_route: "En route",
    on_scene: "On scene",
    on_break: "Break",
    idle: "Idle",
  };

  // ------------------------------------------------------------------- visits

  // `path`: the visits endpoint (a provider's, or the signed-in clinician's own)
  function buildVisits(seq, container, path) {
    const filters = { search: "", abx: "", escalated: "", page: 1 };
    const search = h("input", {
      type: "search",
      placeholder: "Search patient or Athena ID",
      autocomplete: "off",
      testid: "visit-search",
      "aria-label": "Search visits by patient or Athena ID",
    });
    const yesNoOptions = [["", "All"], ["true", "Yes"], ["false", "No"]];
    const abx = select({ testid: "visit-abx", "aria-label": "ABX" }, yesNoOptions, "");
    const escalated = select({ testid: "visit-escalated", "aria-label": "Escalated" }, yesNoOptions, "");
    const body = h("div", { testid: "visits-body" });
    const load = pagedSection(seq, body, filters, {
      request: () =>
        request(path, {
          search: filters.search.trim(),
          is_abx_prescribed: filters.abx,
          is_escalated: filters.escalated,
          page: filters.page,
          per_page: VISITS_PAGE_SIZE,
        }),
      table: (items) =>
        dataTable(
          { testid: "visits-table" },
          ["Patient", "Date", "Chief complaint", "Diagnosis", "ABX", "Escalated"],
          items.map(visitRow),
          "No visits match.",
        ),
      noun: ["visit", "visits"],
      pagerTestid: "visits-pager",
    });
    search.addEventListener(
      "input",
      debounce(() => refilter(filters, { search: search.value }, load), 250),
    );
    abx.addEventListener("change", () => refilter(filters, { abx: abx.value }, load));
    escalated.addEventListener("change", () => refilter(filters, { escalated: escalated.value }, load));
    replace(
      container,
      cardHead(
        "Latest visits",
        controls(search, field("ABX", abx, true), field("Escalated", escalated, true)),
      ),
      body,
    );
    load();
  }

  // A Yes / No / No data cell; `tone` marks a yes, `detail` is the hover text.
  function flagCell(value, tone, detail) {
    return h("td", {}, h("span", { class: `pill ${value ? tone : ""}`, title: detail || null, text: yesNo(value) }));
  }

  function visitRow(v) {
    return h(
      "tr",
      { testid: "visit-row" },
      h(
        "td",
        {},
        h("div", { class: "strong", text: [v.patient_first_name, v.patient_last_name].filter(Boolean).join(" ") || NO_DATA }),
        h("div", { class: "muted", text: `Athena ID ${v.patient_athena_id || NO_DATA}` }),
      ),
      h("td", { text: formatDate(v.service_date) }),
      h("td", { text: v.chief_complaint || NO_DATA }),
      h("td", { text: v.diagnosis || NO_DATA }),
      flagCell(v.is_abx_prescribed, "on", v.abx_details),
      flagCell(v.is_escalated, "warn", v.escalated_reason),
    );
  }


  // ------------------------------------------------------------------- shifts

  // `paths.shifts`: the shifts endpoint; `paths.breakdowns(id)`: one shift's phases
  function buildShifts(seq, container, paths, marketNames) {
    const filters = { page: 1 };
    const body = h("div", { testid: "shifts-body" });
    const load = pagedSection(seq, body, filters, {
      request: () =>
        request(paths.shifts, {
          page: filters.page,
          per_page: SHIFTS_PAGE_SIZE,
        }),
      table: (items) =>
        dataTable(
          { testid: "shifts-table" },
          ["Shift", "Market", "Out the door", "En route", "On scene", "On break", "Idle", "Visits", ""],
          items.map((s) => shiftRow(s, marketNames.get(s.market_id), paths.breakdowns)),
          "No shifts in the shift history window.",
        ),
      noun: ["shift", "shifts"],
      pagerTestid: "shifts-pager",
    });
    replace(container, cardHead("Shift breakdowns", h("span", { class: "muted", text: "newest first, 10 per page" })), body);
    load();
  }

  function durationCell(seconds) {
    return h("td", { text: formatDuration(seconds) });
  }

  function shiftRow(s, market, breakdowns) {
    return h(
      "tr",
      { testid: "shift-row", "data-shift-id": s.shift_team_id },
      h(
        "td",
        {},
        h("div", { class: "strong", text: formatDate(s.service_date) }),
        h("div", { class: "muted", text: `${formatTime(s.start_time)} \u2013 ${formatTime(s.end_time)}` }),
      ),
      h("td", { text: market ? market.short_name || market.name : s.market_id === null ? NO_DATA : `#${s.market_id}` }),
      durationCell(s.out_the_door_duration_seconds),
      durationCell(s.en_route_duration_seconds),
      durationCell(s.on_scene_duration_seconds),
      s.is_break_skipped
        ? h("td", {}, h("span", { class: "pill warn", testid: "break-skipped", title: "No break was taken on this shift", text: "Break skipped" }))
        : durationCell(s.on_break_duration_seconds),
      durationCell(s.idle_duration_seconds),
      h("td", { class: "num", text: isNum(s.patients_seen) ? String(s.patients_seen) : NO_DATA }),
      h(
        "td",
        {},
        h("button", {
          type: "button",
          class: "button small",
          testid: "shift-details",
          text: "See details",
          onclick: () => openShiftModal(s, market, breakdowns(s.shift_team_id)),
        }),
      ),
    );
  }

  // ------------------------------------------------------------- shift modal

  let modalCleanup = null;

  function closeModal() {
    if (modalCleanup) modalCleanup();
  }

  // Shows a dialog over the page (`head` holds its #modal-title) until Escape, its × or a
  // click outside closes it; focus then returns where it was. Returns the backdrop.
  function openModal(head, content) {
    const root = document.getElementById("modal-root");
    const previousFocus = document.activeElement;
    const closeButton = h("button", { type: "button", class: "button ghost close", "aria-label": "Close", testid: "modal-close", text: "\u00D7" });
    const dialog = h(
      "div",
      { class: "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": "modal-title", testid: "shift-modal" },
      h("div", { class: "modal-head" }, head, closeButton),
      content,
    );
    const backdrop = h("div", { class: "backdrop", testid: "modal-backdrop" }, dialog);
    const onKey = (e) => {
      if (e.key === "Escape") closeModal();
    };
    backdrop.addEventListener("click", (e) => {
      if (e.target === backdrop) closeModal();
    });
    closeButton.addEventListener("click", closeModal);
    document.addEventListener("keydown", onKey);
    modalCleanup = () => {
      document.removeEventListener("keydown", onKey);
      backdrop.remove();
      modalCleanup = null;
      if (previousFocus && previousFocus.focus) previousFocus.focus();
    };
    root.append(backdrop);
    closeButton.focus();
    return backdrop;
  }

  async function openShiftModal(shift, market, path) {
    closeModal();
    const content = h("div", { class: "modal-body", testid: "timeline-body" }, messageBox("Loading…"));
    const head = h(
      "div",
      {},
      h("h2", { id: "modal-title", testid: "modal-title", text: `Shift breakdown \u00B7 ${formatDayMonth(shift.service_date)}` }),
      h("p", {
        class: "muted",
        text: `${formatDate(shift.service_date)} \u00B7 ${formatTime(shift.start_time)} \u2013 ${formatTime(shift.end_time)}${market ? ` \u00B7 ${market.name}` : ""}`,
      }),
    );
    const backdrop = openModal(head, content);
    let data;
    try {
      data = await request(path);
    } catch (err) {
      if (backdrop.isConnected) replace(content, errorMessage(err));
      return;
    }
    if (!backdrop.isConnected) return;
    replace(content, timeline(shift, data.items));
  }

  // A phase row with its key (an unknown phase counts as idle) and its times in seconds.
  function phaseOf(p) {
    return {
      row: p,
      key: PHASES[p.phase] ? p.phase : "idle",
      start: epochSeconds(p.start_time),
      end: epochSeconds(p.end_time),
    };
  }

  // The shift drawn from its earliest to its latest time (shift or phase): coloured
  // segments, an hour axis, the totals per phase and the list of phases.
  function timeline(shift, rows) {
    const phases = rows.map(phaseOf);
    const from = Math.min(...[epochSeconds(shift.start_time), ...phases.map((p) => p.start)].filter(isNum));
    const to = Math.max(...[epochSeconds(shift.end_time), ...phases.map((p) => p.end)].filter(isNum));
    if (!phases.length || !isNum(from) || !isNum(to) || to <= from) {
      return messageBox("No phases were recorded for this shift.", "warn");
    }
    const drawn = phases.filter((p) => isNum(p.start) && isNum(p.end) && p.end > p.start);
    const totals = {};
    for (const p of drawn) totals[p.key] = (totals[p.key] || 0) + (p.end - p.start);
    return [
      h("div", { class: "timeline-wrap" }, timelineBar(drawn, from, to), timelineAxis(from, to)),
      h(
        "ul",
        { class: "legend", testid: "timeline-legend" },
        Object.entries(PHASES).map(([key, label]) =>
          h("li", {}, h("span", { class: `swatch phase-${key}` }), `${label} `, h("strong", { text: formatDuration(totals[key] || 0) })),
        ),
      ),
      shift.is_break_skipped ? messageBox("Break skipped on this shift.", "warn") : null,
      phaseTable(phases),
    ];
  }

  function timelineBar(phases, from, to) {
    const span = to - from;
    const bar = h("div", { class: "timeline", testid: "timeline", role: "img", "aria-label": "Shift timeline" });
    for (const { row, key, start, end } of phases) {
      const segment = h("div", {
        class: `segment phase-${key}`,
        testid: `segment-${key}`,
        title: `${PHASES[key]}: ${formatTime(row.start_time)} \u2013 ${formatTime(row.end_time)} (${formatDuration(end - start)})`,
      });
      segment.style.left = `${((start - from) / span) * 100}%`;
      segment.style.width = `${((end - start) / span) * 100}%`;
      bar.append(segment);
    }
    return bar;
  }

  function timelineAxis(from, to) {
    const span = to - from;
    const axis = h("div", { class: "axis" });
    const firstHour = Math.ceil(from / 3600) * 3600;
    const step = span > 12 * 3600 ? 2 * 3600 : 3600;
    for (let t = firstHour; t <= to; t += step) {
      const tick = h("span", { class: "tick", text: clock(new Date(t * 1000).getUTCHours()) });
      tick.style.left = `${((t - from) / span) * 100}%`;
      axis.append(tick);
    }
    return axis;
  }

  function phaseTable(phases) {
    return dataTable(
      { class: "table compact", testid: "timeline-table" },
      ["Phase", "From", "To", "Duration"],
      phases.map(({ row, key, start, end }) =>
        h(
          "tr",
          {},
          h("td", {}, h("span", { class: `swatch phase-${key}` }), PHASES[key]),
          h("td", { text: formatTime(row.start_time) }),
          h("td", { text: formatTime(row.end_time) }),
          h("td", { text: isNum(start) && isNum(end) ? formatDuration(end - start) : NO_DATA }),
        ),
      ),
    );
  }


  Object.assign(KPI, { buildVisits, buildShifts, shiftRow, openModal, closeModal, timeline, durationCell });
})();
