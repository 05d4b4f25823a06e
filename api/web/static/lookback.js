/*
 * The personal hub's charts (SPEC §11), drawn with plotly.js like the trend charts:
 * the 7-day look back (patients seen and hours on shift per day, against the average
 * clinician of the day's market group) with the latest shift day's shifts, and the
 * anonymous spread of a peer ranking. Uses window.KPI (app.js, loaded first).
 */
"use strict";

(function () {
  const KPI = window.KPI;
  const {
    PERSONAL_API, NO_DATA, METRICS, isNum, formatValue, formatDate, formatDuration, h, replace,
    messageBox, cardHead, dataTable, sectionLoader, loadChartLibrary, chartValue, TICK_SUFFIX, chartLayout,
    request, state, errorText,
  } = KPI;

  const YOU = "#1d4ed8";
  const GROUP = "#9aa4b5";

  // The dates of the window (D − n + 1 … D, n = look_back_days), as yyyy-mm-dd.
  function lookBackDates(asOf, n) {
    const end = new Date(`${asOf}T00:00:00Z`);
    return Array.from({ length: n }, (_, i) => {
      const day = new Date(end.getTime() - (n - 1 - i) * 86400000);
      return day.toISOString().slice(0, 10);
    });
  }

  const CHARTS = {
    patients: {
      title: "Patients seen",
      you: "patients_seen",
      group: "group_average_patients_seen",
      unit: (v) => v,
      text: (v) => (isNum(v) ? String(v) : NO_DATA),
      suffix: "",
    },
    hours: {
      title: "Hours on shift",
      you: "on_shift_seconds",
      group: "group_average_on_shift_seconds",
      unit: (v) => (isNum(v) ? v / 3600 : null),
      text: (v) => (isNum(v) ? `${(v / 3600).toFixed(1)} h` : NO_DATA),
      suffix: " h",
    },
  };

  // The plotly figure of one look-back chart: a bar per day for the clinician, a line for
  // the group's average; a day without a shift has neither (a gap, never 0).
  function lookBackFigure(data, which) {
    const chart = CHARTS[which];
    const dates = lookBackDates(data.as_of_date, data.look_back_days);
    const byDate = new Map(data.days.map((d) => [d.service_date, d]));
    const series = (column) => dates.map((d) => (byDate.has(d) ? byDate.get(d)[column] : null));
    const you = series(chart.you);
    const group = series(chart.group);
    const trace = (name, values, extra) => ({
      name,
      x: dates,
      y: values.map(chart.unit),
      customdata: dates.map(formatDate),
      text: values.map(chart.text),
      hovertemplate: `%{customdata}<br>${name}: %{text}<extra></extra>`,
      ...extra,
    });
    return {
      data: [
        trace("You", you, { type: "bar", textposition: "none", marker: { color: YOU } }),
        trace("Group average", group, {
          type: "scatter",
          mode: "lines+markers",
          connectgaps: false,
          line: { color: GROUP, width: 2, dash: "dot" },
          marker: { size: 6 },
        }),
      ],
      layout: {
        ...chartLayout(190, { l: 44, r: 8, t: 8, b: 28 }),
        showlegend: true,
        legend: { orientation: "h", y: -0.25 },
        xaxis: { type: "date", tickformat: "%m/%d", fixedrange: true, showgrid: false },
        yaxis: { fixedrange: true, rangemode: "tozero", ticksuffix: chart.suffix, nticks: 4 },
      },
    };
  }

  async function drawFigure(box, figure) {
    const Plotly = await loadChartLibrary();
    await Plotly.react(box, figure.data, figure.layout, { displayModeBar: false, responsive: true });
  }

  function buildLookBack(seq, container) {
    const body = h("div", { class: "look-back", testid: "look-back-body" });
    const load = sectionLoader(seq, body, () => request(`${PERSONAL_API}/me/look-back`), (data) => {
      const boxes = Object.entries(CHARTS).map(([which, chart]) => {
        const box = h("div", { class: "trend look-back-chart", testid: `look-back-${which}`, role: "img", "aria-label": chart.title });
        drawFigure(box, lookBackFigure(data, which)).catch((err) => {
          if (seq === state.seq) replace(box, h("p", { class: "trend-error", text: errorText(err) }));
        });
        return h("div", { class: "look-back-panel" }, h("h3", { text: chart.title }), box);
      });
      return [
        data.days.length ? null : messageBox(`No shifts in the last ${data.look_back_days} days.`, "warn"),
        h("div", { class: "look-back-charts" }, boxes),
        latestShiftDay(data),
      ];
    });
    replace(
      container,
      cardHead("Look back", h("span", { class: "muted", text: "last 7 days, you vs your group's average clinician" })),
      body,
    );
    load();
  }

  // The shifts of the latest day with a shift (however old), each with its phases.
  function latestShiftDay(data) {
    const day = data.latest_shift_date;
    const shifts = data.latest_shifts;
    if (!day || !shifts.length) return messageBox("No shift on record yet.", "warn");
    return h(
      "div",
      { class: "latest-day", testid: "latest-shift-day" },
      h("h3", { testid: "latest-shift-date", text: `Your latest shift day: ${formatDate(day)}` }),
      shifts.map((s) =>
        h(
          "div",
          { class: "latest-shift", testid: "latest-shift" },
          dataTable(
            { class: "table compact" },
            ["Shift", "Out the door", "En route", "On scene", "On break", "Idle", "Visits"],
            [latestShiftRow(s)],
          ),
          KPI.timeline(s, s.breakdowns),
        ),
      ),
    );
  }

  function latestShiftRow(s) {
    const cell = (seconds) => h("td", { text: formatDuration(seconds) });
    return h(
      "tr",
      { testid: "latest-shift-row" },
      h("td", { text: `${KPI.formatTime(s.start_time)} \u2013 ${KPI.formatTime(s.end_time)}` }),
      cell(s.out_the_door_duration_seconds),
      cell(s.en_route_duration_seconds),
      cell(s.on_scene_duration_seconds),
      s.is_break_skipped ? h("td", { text: "Break skipped" }) : cell(s.on_break_duration_seconds),
      cell(s.idle_duration_seconds),
      h("td", { class: "num", text: isNum(s.patients_seen) ? String(s.patients_seen) : NO_DATA }),
    );
  }

  // ------------------------------------------------------------ ranking spread
  // Every ranked value of the peer ranking as a dot (anonymous, sent only when at least
  // five peers are ranked), the clinician's own value highlighted.

  function spreadFigure(values, own, key) {
    const metric = METRICS[key];
    const dot = (v, color, size) => ({
      type: "scatter",
      mode: "markers",
      x: v.map((x) => chartValue(metric.kind, x)),
      y: v.map(() => 0),
      text: v.map((x) => formatValue(metric.kind, x)),
      hovertemplate: "%{text}<extra></extra>",
      marker: { color, size, opacity: 0.8 },
    });
    const data = [dot(values, GROUP, 9)];
    if (isNum(own.value) && own.status !== "not_enough_visits") data.push(dot([own.value], YOU, 14));
    return {
      data,
      layout: {
        ...chartLayout(70, { l: 12, r: 12, t: 4, b: 24 }),
        xaxis: { fixedrange: true, zeroline: false, ticksuffix: TICK_SUFFIX[metric.kind] },
        yaxis: { visible: false, fixedrange: true },
      },
    };
  }

  function spreadChart(values, own, key) {
    const box = h("div", { class: "spread", testid: "peer-spread", role: "img", "aria-label": "Ranked values of your peers" });
    drawFigure(box, spreadFigure(values, own, key)).catch(() => replace(box));
    return h("div", {}, h("p", { class: "muted", text: `All ${values.length} ranked values (anonymous); you in blue` }), box);
  }

  Object.assign(KPI, { buildLookBack, spreadChart, lookBackFigure });
})();
