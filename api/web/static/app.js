/*
 * The web page's core (the Leader Hub, the individual page, sign-in, routing): plain
 * JavaScript, no build step; the one third-party library is the charts' plotly.js, served
 * from the installed `plotly` Python package (never a CDN). sections.js, lookback.js and
 * personal.js (My Performance Hub) build on the helpers it exposes as window.KPI.
 *
 * Reads the /v1/leader-hub-metrics and /v1/performance-hub APIs with a bearer token kept
 * in sessionStorage.
 * Every value comes from the API as it is; this file only formats it: durations in
 * minutes, rates as percentages, dates as mm/dd/yyyy, and null as "No data" (never 0).
 * The DOM is built with createElement/textContent only (patient names are data).
 */
"use strict";

(function () {
  const KPI = (window.KPI = {}); // what sections.js and personal.js use
  const API = "/v1/leader-hub-metrics";
  const PERSONAL_API = "/v1/performance-hub";
  const DEV_LOGIN = "/dev/login";
  const TOKEN_KEY = "kpi.leaderHub.token";
  const RANKING_PAGE_SIZE = 10;
  const NO_DATA = "No data";

  // ------------------------------------------------------------------ metrics

  // kind: duration (seconds), rate (0-1), percent (0-100), score (NPS 0-100)
  const METRICS = {
    on_scene_time: {
      label: "On-scene time",
      kind: "duration",
      lowerIsBetter: true,
      value: "on_scene_time_median_seconds",
      change: "on_scene_time_week_change_seconds",
      rank: "on_scene_time_rank",
      ranked: "ranked_providers_on_scene_time",
      note: "median per visit",
    },
    survey_capture_rate: {
      label: "Survey capture",
      kind: "rate",
      value: "survey_capture_rate",
      change: "survey_capture_rate_week_change",
      rank: "survey_capture_rate_rank",
      ranked: "ranked_providers_survey_capture_rate",
      note: "visits with a survey",
    },
    chart_closure_rate: {
      label: "Chart closure",
      kind: "rate",
      value: "chart_closure_rate",
      change: "chart_closure_rate_week_change",
      rank: "chart_closure_rate_rank",
      ranked: "ranked_providers_chart_closure_rate",
      note: "charts closed within 24 h",
    },
    net_promoter_score: {
      label: "Patient NPS",
      kind: "score",
      value: "net_promoter_score_average",
      change: "net_promoter_score_week_change",
      rank: "net_promoter_score_rank",
      ranked: "ranked_providers_net_promoter_score",
      note: "average score",
    },
    on_task_percent: {
      label: "On task",
      kind: "percent",
      value: "on_task_percent",
      change: "on_task_percent_week_change",
      rank: "on_task_percent_rank",
      ranked: "ranked_providers_on_task_percent",
      note: "share of shift time",
    },
    escalation_rate: {
      label: "Escalation rate",
      kind: "rate",
      value: "escalation_rate",
      note: "visits escalated",
    },
    abx_prescribing_rate: {
      label: "ABX prescribing",
      kind: "rate",
      value: "abx_prescribing_rate",
      note: "visits with antibiotics",
    },
  };

  const MARKET_TILES = [
    "on_scene_time",
    "survey_capture_rate",
    "chart_closure_rate",
    "net_promoter_score",
  ];
  // Ranking tabs per position (seed: APP closes charts, DHMT captures surveys)
  const TABS = {
    APP: ["on_scene_time", "chart_closure_rate", "net_promoter_score"],
    DHMT: ["on_scene_time", "survey_capture_rate", "net_promoter_score"],
  };
  const HEADER_METRICS = {
    APP: [
      "on_scene_time",
      "chart_closure_rate",
      "net_promoter_score",
      "on_task_percent",
      "escalation_rate",
      "abx_prescribing_rate",
    ],
    DHMT: [
      "on_scene_time",
      "survey_capture_rate",
      "net_promoter_score",
      "on_task_percent",
      "escalation_rate",
      "abx_prescribing_rate",
    ],
  };
  const MARKET_METRICS = {
    APP: ["on_scene_time", "chart_closure_rate", "on_task_percent", "net_promoter_score"],
    DHMT: ["on_scene_time", "survey_capture_rate", "on_task_percent", "net_promoter_score"],
  };
  // --------------------------------------------------------------- formatting

  const isNum = (v) => typeof v === "number" && Number.isFinite(v);
  const MINUS = "\u2212";

  function trimZero(text) {
    return text.replace(/\.0$/, "");
  }

  function minutes(seconds) {
    const m = Math.abs(seconds) / 60;
    return m >= 10 ? String(Math.round(m)) : trimZero(m.toFixed(1));
  }

  function formatValue(kind, v) {
    if (!isNum(v)) return NO_DATA;
    switch (kind) {
      case "duration":
        return `${v < 0 ? MINUS : ""}${minutes(v)} min`;
      case "rate":
        return `${(v * 100).toFixed(1)}%`;
      case "percent":
        return `${v.toFixed(1)}%`;
      default:
        return v.toFixed(1);
    }
  }

  function formatChange(kind, v) {
    if (!isNum(v)) return NO_DATA;
    if (v === 0) return "no change";
    const sign = v > 0 ? "+" : MINUS;
    const a = Math.abs(v);
    switch (kind) {
      case "duration":
        return `${sign}${minutes(a)} min`;
      case "rate":
        return `${sign}${(a * 100).toFixed(1)} pts`;
      case "percent":
        return `${sign}${a.toFixed(1)} pts`;
      default:
        return `${sign}${a.toFixed(1)}`;
    }
  }

  // good / bad / flat / none: a longer on-scene time is bad, higher rates and NPS good
  function changeTone(metric, v) {
    if (!isNum(v)) return "none";
    if (v === 0) return "flat";
    const better = METRICS[metric].lowerIsBetter ? v < 0 : v > 0;
    return better ? "good" : "bad";
  }

  function changeArrow(v) {
    if (!isNum(v) || v === 0) return "";
    return v > 0 ? "\u25B2 " : "\u25BC ";
  }

  function formatDuration(seconds) {
    return formatValue("duration", seconds);
  }

  const DAY = /^(\d{4})-(\d{2})-(\d{2})/; // the date at the start of a date or timestamp

  // "2026-08-23" or "2026-08-23T07:00:00" -> "08/23/2026" (no time-zone conversion)
  function formatDate(text) {
    const m = DAY.exec(text || "");
    return m ? `${m[2]}/${m[3]}/${m[1]}` : NO_DATA;
  }

  // 13 -> "1 PM", 0 -> "12 AM"; with minutes: 13, "05" -> "1:05 PM"
  function clock(hour, minutes) {
    const shown = hour % 12 === 0 ? 12 : hour % 12;
    return `${shown}${minutes === undefined ? "" : `:${minutes}`} ${hour < 12 ? "AM" : "PM"}`;
  }

  // "2026-08-23T13:05:00" -> "1:05 PM" (the wall time the API sends)
  function formatTime(text) {
    const m = /T(\d{2}):(\d{2})/.exec(text || "");
    return m ? clock(Number(m[1]), m[2]) : NO_DATA;
  }

  const MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
  ];

  function formatDayMonth(text) {
    const m = DAY.exec(text || "");
    return m ? `${MONTHS[Number(m[2]) - 1]} ${Number(m[3])}` : NO_DATA;
  }

  // Seconds since the epoch of a naive ISO timestamp, read as UTC (only differences matter)
  function epochSeconds(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text || "");
    if (!m) return null;
    return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0)) / 1000;
  }

  function personName(p) {
    const name = [p.first_name, p.last_name].filter(Boolean).join(" ");
    return name || `Provider ${p.provider_id}`;
  }

  function initials(p) {
    const text = [p.first_name, p.last_name]
      .filter(Boolean)
      .map((s) => s[0])
      .join("");
    return (text || "?").toUpperCase();
  }

  function yesNo(v) {
    return v === true ? "Yes" : v === false ? "No" : NO_DATA;
  }

  // ---------------------------------------------------------------------- DOM

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "testid") el.setAttribute("data-testid", value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function replace(el, ...children) {
    el.replaceChildren();
    return append(el, children);
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  // ------------------------------------------------------------- view pieces
  // What every card is made of: a head with its title and controls, labelled fields,
  // tables, the pager, and the loader that draws one request's answer into a section.

  function avatar(p, size) {
    return h("span", { class: `avatar ${size || ""}`, "aria-hidden": "true", text: initials(p) });
  }

  function messageBox(text, tone) {
    return h("div", { class: `message ${tone || ""}`, role: "status", text });
  }

  function errorMessage(err) {
    return messageBox(errorText(err), "bad");
  }

  // Fills a <select> with [value, label] options; the one equal to `value` is selected.
  function setOptions(el, options, value) {
    replace(
      el,
      options.map(([v, label]) => {
        const option = h("option", { value: v, text: label });
        if (String(v) === String(value)) option.selected = true;
        return option;
      }),
    );
    return el;
  }

  function select(attrs, options, value) {
    return setOptions(h("select", attrs), options, value);
  }

  // A control with its visible label: <label class="field"><span>Market</span>…</label>
  function field(label, control, inline) {
    return h("label", { class: inline ? "field inline" : "field" }, h("span", { text: label }), control);
  }

  // A card's head: its title on the left, then what sits on the right (controls, a note).
  function cardHead(title, ...right) {
    return h("div", { class: "card-head" }, h("h2", { text: title }), right);
  }

  function controls(...children) {
    return h("div", { class: "controls" }, children);
  }

  // A table; a header is its text or its <th> attributes. When there are no rows, one row
  // across every column says why (`empty`), so an empty list never looks like a load error.
  function dataTable(attrs, headers, rows, empty) {
    const cells = headers.map((head) => h("th", typeof head === "string" ? { text: head } : head));
    const none =
      empty === undefined
        ? []
        : h("tr", {}, h("td", { colspan: headers.length, class: "empty-row", text: empty }));
    return h(
      "table",
      { class: "table", ...attrs },
      h("thead", {}, h("tr", {}, cells)),
      h("tbody", {}, rows.length ? rows : none),
    );
  }

  function marketName(m) {
    return m.name || `Market ${m.market_id}`;
  }

  // A list's filters and page live in one object: a filter change starts again at page 1.
  function refilter(filters, changes, reload) {
    Object.assign(filters, changes, { page: 1 });
    reload();
  }

  // "N visits · Previous · Page 2 of 5 · Next" for a paged answer; a click sets
  // `filters.page` and reloads the list.
  function pager(data, filters, reload, noun, testid) {
    const totalPages = data.total_pages || 0;
    const page = data.page || 1;
    const turn = (to) => {
      filters.page = to;
      reload();
    };
    const step = (text, to, disabled) =>
      h("button", { type: "button", class: "button small", text, disabled, onclick: () => turn(to) });
    return h(
      "div",
      { class: "pager", testid },
      h("span", {
        class: "pager-count",
        text: `${data.total} ${data.total === 1 ? noun[0] : noun[1]}`,
      }),
      h(
        "span",
        { class: "pager-controls" },
        step("Previous", page - 1, page <= 1),
        h("span", {
          class: "pager-page",
          testid: testid && `${testid}-page`,
          text: totalPages ? `Page ${page} of ${totalPages}` : "Page 0 of 0",
        }),
        step("Next", page + 1, page >= totalPages),
      ),
    );
  }

  // The load function of one section: `request()` fetches, `draw(data)` returns what the
  // section then shows, a failure shows `failure(err)` (the error, by default). Only the
  // newest call of the current view draws: an answer that arrives after the user has moved
  // on (another view, market, filter or page) is dropped. `aria-busy` marks the wait.
  function sectionLoader(seq, target, request, draw, failure) {
    let latest = 0;
    return async () => {
      const mine = ++latest;
      target.setAttribute("aria-busy", "true");
      let data;
      try {
        data = await request();
      } catch (err) {
        if (seq === state.seq && mine === latest) replace(target, (failure || errorMessage)(err));
        return;
      }
      if (seq !== state.seq || mine !== latest) return;
      replace(target, draw(data));
      target.removeAttribute("aria-busy");
    };
  }

  // A paged table section: `table(items)` draws one page's rows, the pager turns pages.
  function pagedSection(seq, body, filters, { request, table, noun, pagerTestid }) {
    const load = sectionLoader(seq, body, request, (data) => [
      table(data.items),
      pager(data, filters, () => load(), noun, pagerTestid),
    ]);
    return load;
  }

  // A metric's tile: label, value, then (when given) its week change and an extra line.
  function metricTile(key, value, change, extra) {
    const metric = METRICS[key];
    const tone = changeTone(key, change);
    return h(
      "div",
      { class: `tile ${isNum(value) ? "" : "empty"}`, testid: `tile-${key}` },
      h("div", { class: "tile-label", text: metric.label }),
      h("div", { class: "tile-value", testid: `tile-${key}-value`, text: formatValue(metric.kind, value) }),
      change === undefined
        ? null
        : h("div", {
            class: `tile-change ${tone}`,
            testid: `tile-${key}-change`,
            "data-tone": tone,
            title: metric.lowerIsBetter ? "lower is better" : "higher is better",
            text: isNum(change)
              ? `${changeArrow(change)}${formatChange(metric.kind, change)} this week`
              : `Week change: ${NO_DATA}`,
          }),
      extra || null,
      h("div", { class: "tile-note", text: metric.note }),
    );
  }

  // A metric's goal in an answer (SPEC §13) as {goal, direction, meets_goal}, or null when
  // the answer carries none: tiles' answers keep them in `goals` by value column; a
  // ranking row or a personal metric carries `goal` and `meets_goal` itself (no key).
  function goalIn(data, key) {
    if (!data) return null;
    if (!key) return { goal: data.goal, direction: data.goal_direction, meets_goal: data.meets_goal };
    const goals = data.goals || {};
    return goals[METRICS[key].value] || null;
  }

  // "Goal ≤ 30 min · met" under a tile; nothing when there is no goal to show.
  function goalNote(key, g) {
    if (!g || !isNum(g.goal)) return null;
    const metric = METRICS[key];
    const direction = g.direction || g.goal_direction;
    const atMost = direction ? direction === "at_most" : Boolean(metric.lowerIsBetter);
    const met = g.meets_goal === true ? "met" : g.meets_goal === false ? "missed" : "none";
    return h(
      "div",
      { class: `tile-goal ${met}`, testid: `tile-${key}-goal`, "data-meets": met },
      `Goal ${atMost ? "\u2264" : "\u2265"} ${formatValue(metric.kind, g.goal)}`,
      met === "none"
        ? null
        : h("span", { class: "goal-mark", text: met === "met" ? " \u00B7 \u2713 met" : " \u00B7 not met" }),
    );
  }

  // ------------------------------------------------------------ trend charts
  // A metric's history (…/history, SPEC §12) as a small line chart under its tile, drawn
  // with plotly.js, which the app serves from the installed `plotly` Python package
  // (/static/vendor/plotly.min.js, loaded on the first chart). One point per report date,
  // oldest left; a date without data is a gap in the line (null, never 0). The tooltip
  // shows the date and the value as the tile formats it.

  const CHART_LIBRARY = "/static/vendor/plotly.min.js";
  const INTERVALS = [
    ["week", "Weekly"],
    ["day", "Daily"],
  ];
  let chartLibrary = null;

  function loadChartLibrary() {
    if (!chartLibrary) {
      chartLibrary = new Promise((resolve, reject) => {
        if (window.Plotly) return resolve(window.Plotly);
        const script = h("script", { src: CHART_LIBRARY });
        script.addEventListener("load", () => resolve(window.Plotly));
        script.addEventListener("error", () => {
          chartLibrary = null; // try again on the next chart
          reject(new Error("the chart library did not load"));
        });
        document.head.append(script);
      });
    }
    return chartLibrary;
  }

  // A metric value in the unit its tile shows: minutes, percent, score
  function chartValue(kind, v) {
    if (!isNum(v)) return null;
    if (kind === "duration") return v / 60;
    if (kind === "rate") return v * 100;
    return v;
  }

  const TICK_SUFFIX = { duration: " min", rate: "%", percent: "%", score: "" };

  // Goal line (SPEC §13): the metric's goal in `goals` — the tile answer's `goals` by
  // value column ({goal, direction, meets_goal}, or a bare number) — as a dashed line.
  function goalOf(goals, key) {
    const entry = goals ? goals[METRICS[key].value] : undefined;
    const goal = entry && typeof entry === "object" ? entry.goal : entry;
    return isNum(goal) ? goal : null;
  }

  function goalLine(y) {
    return {
      type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y,
      line: { color: "#047857", width: 1.5, dash: "dash" },
    };
  }

  // What every chart of the page shares: its height, margins, a transparent background,
  // small muted text and no legend.
  function chartLayout(height, margin) {
    return {
      height,
      margin,
      showlegend: false,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { size: 10, color: "#5b6579" },
    };
  }

  // A person's head: avatar, name (`nameTestid`), position badge, markets and `extra`.
  function profileHead(p, markets, nameTestid, titleTestid, ...extra) {
    return h(
      "div",
      { class: "profile-head" },
      avatar(p, "large"),
      h(
        "div",
        {},
        h("h1", { testid: nameTestid, text: personName(p) }),
        h(
          "p",
          { class: "subtitle" },
          h("span", { class: "badge", testid: titleTestid, text: p.job_title || NO_DATA }),
          ` Markets: ${markets.map(marketName).join(", ") || NO_DATA}`,
        ),
        extra,
      ),
    );
  }

  // The plotly figure of `key` in a history answer, with the goal line of `goals` (else of
  // the answer's own `goals`).
  function trendFigure(history, key, goals) {
    const metric = METRICS[key];
    const values = history.items.map((point) => point[metric.value]);
    const goal = goalOf(goals || history.goals, key);
    const empty = !values.some(isNum);
    const trace = {
      type: "scatter",
      mode: "lines+markers",
      x: history.items.map((point) => point.as_of_date),
      y: values.map((v) => chartValue(metric.kind, v)),
      customdata: history.items.map((point) => formatDate(point.as_of_date)),
      text: values.map((v) => formatValue(metric.kind, v)),
      hovertemplate: "%{customdata}<br>%{text}<extra></extra>",
      connectgaps: false, // a date without data stays a gap
      line: { color: "#1d4ed8", width: 2 },
      marker: { size: 5 },
    };
    const layout = {
      ...chartLayout(120, { l: 44, r: 8, t: 6, b: 24 }),
      xaxis: { type: "date", tickformat: "%m/%d", fixedrange: true, showgrid: false },
      yaxis: { fixedrange: true, zeroline: false, ticksuffix: TICK_SUFFIX[metric.kind], nticks: 4 },
      shapes: goal === null ? [] : [goalLine(chartValue(metric.kind, goal))],
      annotations: empty
        ? [{ text: NO_DATA, xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false }]
        : [],
    };
    return { data: [trace], layout };
  }

  // The interval switch (Weekly / Daily) of a page's trends: sets `choice.interval`, then
  // `reload()`.
  function intervalSwitch(choice, reload) {
    const buttons = INTERVALS.map(([interval, label]) =>
      h("button", {
        type: "button",
        class: "button small",
        testid: `trend-interval-${interval}`,
        "data-interval": interval,
        "aria-pressed": String(choice.interval === interval),
        text: label,
        onclick: () => {
          if (choice.interval === interval) return;
          choice.interval = interval;
          for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.interval === interval));
          reload();
        },
      }),
    );
    return h("div", { class: "segmented", role: "group", "aria-label": "Trend interval", testid: "trend-interval" }, buttons);
  }

  // A trend box for each tile of `keys` (appended to the tile), and the load function that
  // fills them from the history at `path` in `choice.interval`. As sectionLoader: only the
  // newest call of the current view draws.
  function trendCharts(seq, tiles, keys, path, choice, goals) {
    const boxes = new Map();
    keys.forEach((key, i) => {
      const box = h("div", { class: "trend", testid: `trend-${key}`, role: "img", "aria-label": `${METRICS[key].label} trend` });
      boxes.set(key, box);
      tiles[i].append(box);
    });
    let latest = 0;
    return async () => {
      const mine = ++latest;
      for (const box of boxes.values()) box.setAttribute("aria-busy", "true");
      let history;
      let Plotly;
      try {
        [history, Plotly] = await Promise.all([
          api(`${path}?interval=${choice.interval}`),
          loadChartLibrary(),
        ]);
      } catch (err) {
        if (seq !== state.seq || mine !== latest) return;
        for (const box of boxes.values()) replace(box, h("p", { class: "trend-error", text: errorText(err) }));
        return;
      }
      if (seq !== state.seq || mine !== latest) return;
      for (const [key, box] of boxes) {
        if (seq !== state.seq || mine !== latest) return; // a newer load draws instead
        const { data, layout } = trendFigure(history, key, goals);
        await Plotly.react(box, data, layout, { displayModeBar: false, responsive: true });
        box.dataset.interval = history.interval;
        box.removeAttribute("aria-busy");
      }
    };
  }

  // --------------------------------------------------------------- token + API

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `request failed (${status})`);
      this.status = status;
      this.body = body;
    }
  }

  function getToken() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function setToken(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  }

  function clearToken() {
    sessionStorage.removeItem(TOKEN_KEY);
  }

  // The payload, for display only: the server verifies every request.
  function claimsOf(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const padded = part + "=".repeat((4 - (part.length % 4)) % 4);
      const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
      const payload = JSON.parse(new TextDecoder().decode(bytes));
      return payload && typeof payload === "object" ? payload : {};
    } catch (_) {
      return {};
    }
  }

  function roleClaims(payload) {
    // claims may sit under a namespace object (KPI_JWT_CLAIMS_NAMESPACE)
    if ("market_role" in payload || "markets" in payload) return payload;
    for (const value of Object.values(payload)) {
      if (value && typeof value === "object" && ("market_role" in value || "markets" in value)) {
        return value;
      }
    }
    return payload;
  }

  // GET by default; `options` ({method, body, headers, raw}) for the fraud page's review
  // POSTs and CSV download (fraud.js). `raw`: resolve with the Response itself.
  async function request(path, params, options) {
    const url = new URL(path, window.location.origin);
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, value);
    }
    const token = getToken();
    const opts = options || {};
    const headers = token ? { Authorization: `Bearer ${token}`, Accept: "application/json" } : {};
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method: opts.method || "GET",
      headers: { ...headers, ...(opts.headers || {}) },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      cache: "no-store",
    });
    if (opts.raw && response.ok) return response;
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (response.status === 401) {
      clearToken();
      showLogin("Your sign-in is no longer valid (expired or rejected). Sign in again.");
      throw new ApiError(401, body);
    }
    if (!response.ok) throw new ApiError(response.status, body);
    if (body && body.as_of_date) showAsOf(body.as_of_date);
    return body;
  }

  const api = (path, params) => request(`${API}${path}`, params);

  function errorText(err) {
    if (err instanceof ApiError) {
      if (err.status === 403) return `Not allowed with this sign-in: ${err.message}.`;
      if (err.status === 404) return "Not found, or not visible with this sign-in.";
      if (err.status === 503) return "The data service is unavailable; try again shortly.";
      return err.message;
    }
    return "The server could not be reached.";
  }

  // ------------------------------------------------------------------ session

  function freshHub() {
    return { market: null, title: "APP", metric: "on_scene_time", search: "", page: 1, interval: "week" };
  }

  const state = {
    hub: freshHub(),
    markets: null, // the token's markets (switcher), loaded once per sign-in
    me: undefined, // the promise of GET /me (who the user is), once per sign-in
    seq: 0, // bumps on every view render; stale responses are dropped
  };

  // A view's first request failed in a way it need not show: the user has already moved
  // on to another view, or the 401 has already sent them to sign in.
  function viewLeft(seq, err) {
    return seq !== state.seq || (err instanceof ApiError && err.status === 401);
  }

  function showAsOf(asOf) {
    const el = document.getElementById("as-of");
    el.textContent = `Data as of ${formatDate(asOf)}`;
  }

  function renderSession() {
    const token = getToken();
    const session = document.getElementById("session");
    session.hidden = !token;
    if (!token) return;
    const claims = roleClaims(claimsOf(token));
    const role = claims.market_role || (claims.roles || []).join(", ") || "signed in";
    const markets = Array.isArray(claims.markets) && claims.markets.length
      ? ` · markets ${claims.markets.join(", ")}`
      : "";
    document.getElementById("who").textContent = `${role}${markets}`;
  }

  // Who the signed-in user is (GET /v1/performance-hub/me, SPEC §11): their provider row
  // (null for most managers), is_lead, default_view, their overall metrics. Asked once per
  // sign-in; null when the server does not answer it (the Leader Hub is then home).
  function whoAmI() {
    if (state.me === undefined) {
      state.me = request(`${PERSONAL_API}/me`).catch((err) => {
        if (err instanceof ApiError && err.status === 401) {
          state.me = undefined;
          throw err;
        }
        return null;
      });
    }
    return state.me;
  }

  // The header once the user is known: their name, and for a Lead APP/DHMT (a leader who
  // is also a clinician) the switch between "My performance" and "Leader's view".
  async function showIdentity(current) {
    const nav = document.getElementById("view-switch");
    let me;
    try {
      me = await whoAmI();
    } catch (_) {
      return;
    }
    if (!getToken()) return;
    if (me && me.provider) {
      const claims = roleClaims(claimsOf(getToken()));
      const role = claims.market_role ? ` · ${claims.market_role}` : "";
      document.getElementById("who").textContent = `${personName(me.provider)}${role}`;
    }
    nav.hidden = !(me && me.provider && me.is_lead);
    if (nav.hidden) return;
    const link = (view, text) =>
      h("a", {
        href: `#/${view}`,
        class: "switch-link",
        testid: `view-${view}`,
        "aria-current": view === current ? "page" : null,
        text,
      });
    replace(nav, link("me", "My performance"), link("hub", "Leader\u2019s view"));
  }

  function forgetUser() {
    state.markets = null;
    state.me = undefined;
    document.getElementById("view-switch").hidden = true;
  }

  function signIn(token) {
    setToken(token.trim());
    forgetUser();
    state.hub = freshHub();
    renderSession();
    if (window.location.hash === "#/") route();
    else window.location.hash = "#/";
  }

  function signOut() {
    clearToken();
    forgetUser();
    document.getElementById("as-of").textContent = "";
    showLogin();
  }

  // -------------------------------------------------------------------- login

  function showLogin(reason) {
    KPI.closeModal();
    renderSession();
    if (window.location.hash !== "#/login") {
      history.replaceState(null, "", "#/login");
    }
    renderLogin(reason);
  }

  function renderLogin(reason) {
    const seq = ++state.seq;
    const error = h("p", { class: "message bad", role: "alert", testid: "login-error", hidden: true });
    const roles = h("div", { class: "dev-roles", testid: "dev-login" });
    replace(
      document.getElementById("view"),
      h(
        "section",
        { class: "card login", testid: "login" },
        h("h1", { text: "Sign in to Clinical KPI" }),
        reason ? messageBox(reason, "warn") : null,
        roles,
        tokenForm(error),
        error,
      ),
    );
    showDevRoles(seq, roles, error);
  }

  function showLoginError(error, text) {
    error.hidden = false;
    error.textContent = text;
  }

  function tokenForm(error) {
    const input = h("textarea", {
      id: "token-input",
      rows: 4,
      spellcheck: "false",
      autocomplete: "off",
      placeholder: "eyJhbGciOi…",
      testid: "token-input",
    });
    const submit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token.split(".").length !== 3) {
        showLoginError(error, "That does not look like a JWT (three dot-separated parts).");
        return;
      }
      signIn(token);
    };
    return h(
      "form",
      { class: "token-form", onsubmit: submit },
      h("label", { for: "token-input", text: "Paste a bearer token" }),
      input,
      h("p", {
        class: "hint",
        text: "Kept in this tab only (sessionStorage). Dev tokens: kpi token --role \"Market Manager\" --markets 1,2,3 (a leader), kpi token --user-id 42 (a clinician)",
      }),
      h("button", { type: "submit", class: "button primary", text: "Use token", testid: "token-submit" }),
    );
  }

  // The dev login exists only when the server runs in dev mode (kpi demo, kpi serve --dev):
  // elsewhere GET /dev/login is a 404 and `roles` stays empty.
  function showDevRoles(seq, roles, error) {
    fetch(DEV_LOGIN, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => {
        if (seq !== state.seq || !body || !Array.isArray(body.items)) return;
        const roleButton = (role) =>
          h("button", {
            type: "button",
            class: "button role",
            text: role.label,
            testid: `dev-role-${role.id}`,
            onclick: () => devLogin(role.id, error),
          });
        replace(
          roles,
          h("h2", { text: "Development login" }),
          h("p", {
            class: "hint",
            text: "This server runs in dev mode: pick a demo role and it signs a dev token for you.",
          }),
          h("ul", { class: "role-list" }, body.items.map((role) => h("li", {}, roleButton(role)))),
          h("p", { class: "or", text: "or" }),
        );
      })
      .catch(() => {});
  }

  async function devLogin(roleId, error) {
    try {
      const response = await fetch(DEV_LOGIN, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ role: roleId }),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.message || "dev login failed");
      signIn(body.token);
    } catch (err) {
      showLoginError(error, err.message);
    }
  }

  // ------------------------------------------------------------------- router
  // #/ (home: the signed-in user's default view), #/me (My performance), #/hub (the
  // Leader Hub), #/providers/{id} (an individual page), #/login.

  async function route() {
    KPI.closeModal();
    const hash = window.location.hash || "#/";
    if (!getToken()) {
      showLogin();
      return;
    }
    renderSession();
    if (hash === "#/login") {
      renderLogin();
      return;
    }
    const provider = /^#\/providers\/(\d{1,19})$/.exec(hash);
    if (provider) KPI.renderProvider(provider[1]);
    else if (hash === "#/hub") KPI.renderHub();
    else if (hash === "#/me") KPI.renderPersonal();
    else if (hash === "#/fraud" && KPI.renderFraud) KPI.renderFraud();
    else {
      await goHome();
      return;
    }
    const view = { "#/me": "me", "#/fraud": "fraud" }[hash] || "hub";
    const name = { me: "My Performance Hub", fraud: "Fraud reports" }[view] || "Leader Hub";
    document.querySelector(".brand strong").textContent = name;
    document.title = `${name} \u00B7 Clinical KPI`;
    showIdentity(view);
  }

  // Home is the user's default view (SPEC §11): a clinician's own hub, the Leader Hub for
  // managers (default_view leader_hub) and for anyone who is not a provider.
  async function goHome() {
    const seq = ++state.seq;
    let me;
    try {
      me = await whoAmI();
    } catch (_) {
      return; // a 401: already back at sign-in
    }
    if (seq !== state.seq) return;
    const personal = me && me.provider && me.default_view !== "leader_hub";
    history.replaceState(null, "", personal ? "#/me" : isFraudAnalyst() ? "#/fraud" : "#/hub");
    route();
  }

  // A fraud analyst without a market role: the fraud page (fraud.js) is their home.
  function isFraudAnalyst() {
    const claims = roleClaims(claimsOf(getToken() || ""));
    const analyst = Array.isArray(claims.roles) && claims.roles.includes("fraud_analyst");
    return analyst && !claims.market_role && Boolean(KPI.renderFraud);
  }

  // test hooks for the formatting rules (no effect on the page)
  window.leaderHubFormat = { formatValue, formatChange, changeTone, formatDate, formatTime, trendFigure };

  Object.assign(KPI, {
    API, PERSONAL_API, NO_DATA, METRICS, MARKET_TILES, TABS, HEADER_METRICS, MARKET_METRICS,
    RANKING_PAGE_SIZE, isNum,
    formatValue, formatChange, changeTone, changeArrow, formatDuration, formatDate,
    formatTime, formatDayMonth, epochSeconds, clock, personName, yesNo, marketName,
    h, append, replace, debounce, avatar, messageBox, errorMessage, setOptions, select,
    field, cardHead, controls, dataTable, refilter, pager, sectionLoader, pagedSection,
    metricTile, goalIn, goalNote, intervalSwitch, trendCharts, loadChartLibrary, chartValue,
    chartLayout, profileHead,
    TICK_SUFFIX, request, api, ApiError, errorText, state, viewLeft, whoAmI, signOut,
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("sign-out").addEventListener("click", signOut);
    window.addEventListener("hashchange", route);
    route();
  });
})();
