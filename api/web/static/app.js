/*
 * Leader Hub page: plain JavaScript, no build step; the one third-party library is the
 * charts' plotly.js, served from the installed `plotly` Python package (never a CDN).
 *
 * Reads the /v1/leader-hub-metrics API with a bearer token kept in sessionStorage.
 * Every value comes from the API as it is; this file only formats it: durations in
 * minutes, rates as percentages, dates as mm/dd/yyyy, and null as "No data" (never 0).
 * The DOM is built with createElement/textContent only (patient names are data).
 */
"use strict";

(function () {
  const API = "/v1/leader-hub-metrics";
  const DEV_LOGIN = "/dev/login";
  const TOKEN_KEY = "kpi.leaderHub.token";
  const RANKING_PAGE_SIZE = 10;
  const VISITS_PAGE_SIZE = 10;
  const SHIFTS_PAGE_SIZE = 10; // the seed: at most 10 shifts per page
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
  const PHASES = {
    en_route: "En route",
    on_scene: "On scene",
    on_break: "Break",
    idle: "Idle",
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

  // Goal line: the extension point for goals (SPEC §13). A history answer that carries a
  // goal for the metric, as `goals: {<value column>: <number in the column's unit>}`, gets a
  // dashed line at it; the API sends no goals yet, so no chart draws one today.
  function goalOf(history, key) {
    const goals = history.goals;
    const goal = goals ? goals[METRICS[key].value] : undefined;
    return isNum(goal) ? goal : null;
  }

  function goalLine(y) {
    return {
      type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y,
      line: { color: "#047857", width: 1.5, dash: "dash" },
    };
  }

  // The plotly figure of `key` in a history answer.
  function trendFigure(history, key) {
    const metric = METRICS[key];
    const values = history.items.map((point) => point[metric.value]);
    const goal = goalOf(history, key);
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
      height: 120,
      margin: { l: 44, r: 8, t: 6, b: 24 },
      showlegend: false,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { size: 10, color: "#5b6579" },
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
  function trendCharts(seq, tiles, keys, path, choice) {
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
        const { data, layout } = trendFigure(history, key);
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
  // POSTs and CSV download (static/fraud.js). `raw`: resolve with the Response itself.
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

  function signIn(token) {
    setToken(token.trim());
    state.markets = null;
    state.hub = freshHub();
    renderSession();
    const home = homeHash();
    if (window.location.hash === home) route();
    else window.location.hash = home;
  }

  // Where a sign-in lands: a fraud analyst without a market role opens the fraud page.
  function homeHash() {
    const claims = roleClaims(claimsOf(getToken() || ""));
    const analyst = Array.isArray(claims.roles) && claims.roles.includes("fraud_analyst");
    return analyst && !claims.market_role && pages.length ? pages[0].home : "#/";
  }

  function signOut() {
    clearToken();
    state.markets = null;
    document.getElementById("as-of").textContent = "";
    showLogin();
  }

  // -------------------------------------------------------------------- login

  function showLogin(reason) {
    closeModal();
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
        h("h1", { text: "Sign in to the Leader Hub" }),
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
        text: "Kept in this tab only (sessionStorage). A dev token: kpi token --role \"Market Manager\" --markets 1,2,3",
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

  // ---------------------------------------------------------------------- hub

  async function renderHub() {
    const seq = ++state.seq;
    const view = document.getElementById("view");
    const hub = state.hub;
    const marketSelect = h("select", { id: "market-select", testid: "market-select", disabled: true });
    const subtitle = h("p", { class: "subtitle", testid: "market-name" });
    const tiles = h("div", { class: "tiles", testid: "market-tiles" });
    const rankings = h("section", { class: "card rankings", testid: "rankings" });
    const trendSwitch = h("div", { class: "field" }, h("span", { text: "Trend" }));
    replace(
      view,
      h(
        "section",
        { class: "hub", testid: "hub" },
        h(
          "div",
          { class: "page-head" },
          h("div", {}, h("h1", { text: "Leader Hub" }), subtitle),
          h("div", { class: "controls" }, trendSwitch, field("Market", marketSelect)),
        ),
        tiles,
        rankings,
      ),
    );
    try {
      if (!state.markets) state.markets = (await api("/markets")).items;
    } catch (err) {
      if (!viewLeft(seq, err)) replace(view, hubError(err));
      return;
    }
    if (seq !== state.seq) return;
    const markets = state.markets;
    if (!markets.length) {
      replace(tiles, messageBox("None of this sign-in's markets has published data.", "warn"));
      rankings.remove();
      return;
    }
    if (!markets.some((m) => m.market_id === hub.market)) hub.market = markets[0].market_id;
    setOptions(marketSelect, markets.map((m) => [m.market_id, marketName(m)]), hub.market);
    marketSelect.disabled = markets.length < 2;
    const loadMarket = marketTiles(seq, tiles, subtitle, trendSwitch);
    const loadRankings = buildRankings(seq, rankings);
    marketSelect.addEventListener("change", () =>
      refilter(hub, { market: Number(marketSelect.value) }, () => {
        loadMarket();
        loadRankings();
      }),
    );
    loadMarket();
    loadRankings();
  }

  function hubError(err) {
    return h(
      "section",
      { class: "card", testid: "hub-error" },
      h("h1", { text: "Leader Hub" }),
      errorMessage(err),
      h("button", { type: "button", class: "button", text: "Sign in with another role", onclick: signOut }),
    );
  }

  // The selected market's four tiles with their week changes, each with its trend chart
  // (the market's history; the interval switch goes in `trendSwitch`), and its name above.
  function marketTiles(seq, tiles, subtitle, trendSwitch) {
    let loadTrends = () => {};
    trendSwitch.append(intervalSwitch(state.hub, () => loadTrends()));
    return sectionLoader(
      seq,
      tiles,
      () => api(`/markets/${state.hub.market}`),
      (market) => {
        const short = market.short_name ? ` (${market.short_name})` : "";
        subtitle.textContent = `${marketName(market)}${short} · week change vs 7 days earlier`;
        const drawn = MARKET_TILES.map((key) =>
          metricTile(key, market[METRICS[key].value], market[METRICS[key].change]),
        );
        const path = `/markets/${market.market_id}/history`;
        loadTrends = trendCharts(seq, drawn, MARKET_TILES, path, state.hub);
        loadTrends();
        return drawn;
      },
    );
  }

  // The rankings card: position filter, search, one tab per ranked metric of the position,
  // and the paged table. Returns its load function; every choice lives in `state.hub`.
  function buildRankings(seq, container) {
    const hub = state.hub;
    const search = h("input", {
      type: "search",
      id: "ranking-search",
      placeholder: "Search by name",
      value: hub.search,
      autocomplete: "off",
      testid: "ranking-search",
      "aria-label": "Search care team by name",
    });
    search.value = hub.search;
    const position = select(
      { id: "position-filter", testid: "position-filter", "aria-label": "Position" },
      [["APP", "APP"], ["DHMT", "DHMT"]],
      hub.title,
    );
    const tabs = h("div", { class: "tabs", role: "tablist", testid: "ranking-tabs" });
    const body = h("div", { class: "ranking-body", testid: "ranking-body" });
    const load = pagedSection(seq, body, hub, {
      request: () =>
        api(`/markets/${hub.market}/providers`, {
          job_title: hub.title,
          metric: hub.metric,
          search: hub.search.trim(),
          page: hub.page,
          per_page: RANKING_PAGE_SIZE,
        }),
      table: (items) => rankingTable(items, hub.metric, hub.search),
      noun: ["care team member", "care team members"],
      pagerTestid: "ranking-pager",
    });
    const reloadWithTabs = () => {
      renderTabs();
      load();
    };
    const tab = (key) =>
      h("button", {
        type: "button",
        role: "tab",
        class: "tab",
        "aria-selected": key === hub.metric ? "true" : "false",
        testid: `tab-${key}`,
        text: METRICS[key].label,
        onclick: () => refilter(hub, { metric: key }, reloadWithTabs),
      });
    const renderTabs = () => replace(tabs, TABS[hub.title].map(tab));
    search.addEventListener(
      "input",
      debounce(() => refilter(hub, { search: search.value }, load), 250),
    );
    position.addEventListener("change", () => {
      const title = position.value;
      const metric = TABS[title].includes(hub.metric) ? hub.metric : "on_scene_time";
      refilter(hub, { title, metric }, reloadWithTabs);
    });
    renderTabs();
    replace(
      container,
      cardHead("Care team rankings", controls(field("Position", position, true), search)),
      tabs,
      body,
    );
    return load;
  }

  function rankingTable(items, metricKey, search) {
    const metric = METRICS[metricKey];
    return dataTable(
      { testid: "ranking-table" },
      [{ class: "num", text: "#" }, "Care team member", "Position", metric.label, "Week change", "Rank"],
      items.map((row) => rankingRow(row, metricKey)),
      search ? "Nobody matches this search." : "No care team members.",
    );
  }

  // One provider's row: a click (or Enter) opens their individual page.
  function rankingRow(row, metricKey) {
    const kind = METRICS[metricKey].kind;
    const p = row.provider;
    const open = () => {
      window.location.hash = `#/providers/${p.provider_id}`;
    };
    const tone = changeTone(metricKey, row.week_change);
    return h(
      "tr",
      {
        class: "clickable",
        tabindex: "0",
        role: "link",
        testid: "ranking-row",
        "data-provider-id": p.provider_id,
        onclick: open,
        onkeydown: (e) => {
          if (e.key === "Enter") open();
        },
      },
      h("td", { class: "num", text: row.rank === null ? "\u2013" : String(row.rank) }),
      h("td", {}, h("span", { class: "person" }, avatar(p), h("span", { class: "person-name", text: personName(p) }))),
      h("td", {}, h("span", { class: "badge", text: p.job_title || NO_DATA })),
      h("td", {
        class: `value ${isNum(row.value) ? "" : "no-data"}`,
        testid: "ranking-value",
        text: formatValue(kind, row.value),
      }),
      h("td", {
        class: `change ${tone} ${isNum(row.week_change) ? "" : "no-data"}`,
        "data-tone": tone,
        text: isNum(row.week_change) ? `${changeArrow(row.week_change)}${formatChange(kind, row.week_change)}` : NO_DATA,
      }),
      h("td", {
        class: "rank",
        testid: "ranking-rank",
        text: row.rank === null ? NO_DATA : `rank ${row.rank} of ${row.ranked_providers}`,
      }),
    );
  }

  // --------------------------------------------------------------- individual

  async function renderProvider(providerId) {
    const seq = ++state.seq;
    const header = h("section", { class: "card profile", testid: "provider-header" }, messageBox("Loading…"));
    const visits = h("section", { class: "card", testid: "visits" });
    const perMarket = h("section", { class: "card", testid: "market-performance" });
    const shifts = h("section", { class: "card", testid: "shifts" });
    replace(
      document.getElementById("view"),
      h(
        "section",
        { class: "provider", testid: "provider-page" },
        h("a", { href: "#/", class: "back", testid: "back", text: "\u2190 Leader Hub" }),
        header,
        visits,
        perMarket,
        shifts,
      ),
    );
    let provider;
    let markets;
    try {
      [provider, markets] = await Promise.all([
        api(`/providers/${providerId}`),
        api(`/providers/${providerId}/markets`),
      ]);
    } catch (err) {
      if (viewLeft(seq, err)) return;
      replace(header, errorMessage(err));
      for (const section of [visits, perMarket, shifts]) section.remove();
      return;
    }
    if (seq !== state.seq) return;
    const title = provider.provider.job_title === "DHMT" ? "DHMT" : "APP";
    // one trend interval for the page's charts: the header's and the per-market tiles'
    const trends = { interval: "week", loads: {} };
    const reloadTrends = () => Object.values(trends.loads).forEach((load) => load());
    replace(header, providerHeader(seq, provider, title, markets.items, trends));
    header.querySelector(".profile-head").append(intervalSwitch(trends, reloadTrends));
    buildVisits(seq, visits, providerId);
    buildMarketPerformance(seq, perMarket, providerId, title, markets.items, trends);
    buildShifts(seq, shifts, providerId, new Map(markets.items.map((m) => [m.market_id, m])));
  }

  // Name, position and markets, then the overall metrics of the position (no week changes),
  // each with its trend (the provider's history).
  function providerHeader(seq, provider, title, markets, trends) {
    const p = provider.provider;
    const keys = HEADER_METRICS[title];
    const tiles = keys.map((key) => metricTile(key, provider[METRICS[key].value]));
    trends.loads.overall = trendCharts(seq, tiles, keys, `/providers/${p.provider_id}/history`, trends);
    trends.loads.overall();
    return [
      h(
        "div",
        { class: "profile-head" },
        avatar(p, "large"),
        h(
          "div",
          {},
          h("h1", { testid: "provider-name", text: personName(p) }),
          h(
            "p",
            { class: "subtitle" },
            h("span", { class: "badge", testid: "provider-title", text: p.job_title || NO_DATA }),
            ` Markets: ${markets.map((m) => m.name || m.market_id).join(", ") || NO_DATA}`,
          ),
        ),
      ),
      h("div", { class: "tiles six", testid: "provider-metrics" }, tiles),
    ];
  }

  function buildVisits(seq, container, providerId) {
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
        api(`/providers/${providerId}/provider-visits`, {
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

  function buildMarketPerformance(seq, container, providerId, title, markets, trends) {
    if (!markets.length) {
      replace(container, h("h2", { text: "Performance per market" }), messageBox("No markets.", "warn"));
      return;
    }
    // seed: default to the first market of the alphabetical list (the API sends them by name)
    const marketSelect = select(
      { testid: "provider-market-select", "aria-label": "Market" },
      markets.map((m) => [m.market_id, marketName(m)]),
      markets[0].market_id,
    );
    const tiles = h("div", { class: "tiles", testid: "provider-market-metrics" });
    const load = sectionLoader(
      seq,
      tiles,
      () => api(`/markets/${Number(marketSelect.value)}/providers/${providerId}`),
      (data) => {
        const keys = MARKET_METRICS[title];
        const drawn = keys.map((key) => rankedTile(key, data));
        const path = `/markets/${data.market_id}/providers/${providerId}/history`;
        trends.loads.market = trendCharts(seq, drawn, keys, path, trends);
        trends.loads.market();
        return drawn;
      },
      (err) =>
        messageBox(
          err instanceof ApiError && err.status === 403
            ? "This market is not among your sign-in's markets, so its figures are not shown."
            : errorText(err),
          "warn",
        ),
    );
    marketSelect.addEventListener("change", load);
    replace(container, cardHead("Performance per market", field("Market", marketSelect, true)), tiles);
    load();
  }

  // A metric's tile in one market, with the provider's rank there instead of a week change.
  function rankedTile(key, data) {
    const m = METRICS[key];
    const rank = data[m.rank];
    return metricTile(
      key,
      data[m.value],
      undefined,
      h("div", {
        class: "tile-rank",
        testid: `tile-${key}-rank`,
        text: isNum(rank) ? `rank ${rank} of ${data[m.ranked]}` : `rank: ${NO_DATA}`,
      }),
    );
  }

  function buildShifts(seq, container, providerId, marketNames) {
    const filters = { page: 1 };
    const body = h("div", { testid: "shifts-body" });
    const load = pagedSection(seq, body, filters, {
      request: () =>
        api(`/providers/${providerId}/provider-shifts`, {
          page: filters.page,
          per_page: SHIFTS_PAGE_SIZE,
        }),
      table: (items) =>
        dataTable(
          { testid: "shifts-table" },
          ["Shift", "Market", "Out the door", "En route", "On scene", "On break", "Idle", "Visits", ""],
          items.map((s) => shiftRow(s, marketNames.get(s.market_id))),
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

  function shiftRow(s, market) {
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
          onclick: () => openShiftModal(s, market),
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

  async function openShiftModal(shift, market) {
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
      data = await api(`/provider-shifts/${shift.shift_team_id}/provider-shift-breakdowns`);
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

  // ------------------------------------------------------------------- router

  function route() {
    closeModal();
    const hash = window.location.hash || "#/";
    if (!getToken()) {
      showLogin();
      return;
    }
    renderSession();
    const provider = /^#\/providers\/(\d{1,19})$/.exec(hash);
    if (provider) {
      renderProvider(provider[1]);
      return;
    }
    if (hash === "#/login") {
      renderLogin();
      return;
    }
    const page = pages.find((p) => p.matches(hash));
    if (page) {
      page.render(hash);
      return;
    }
    if (hash !== "#/") history.replaceState(null, "", "#/");
    renderHub();
  }

  // Pages in their own files (static/fraud.js) register here: {home, matches(hash), render}.
  // They build on this file's pieces, handed over as `window.kpiApp`.
  const pages = [];
  window.kpiApp = {
    register: (page) => pages.push(page),
    nextSeq: () => ++state.seq,
    isCurrent: (seq) => seq === state.seq,
    viewLeft,
    h,
    replace,
    debounce,
    messageBox,
    errorMessage,
    select,
    field,
    cardHead,
    controls,
    dataTable,
    refilter,
    pagedSection,
    sectionLoader,
    request,
    formatDate,
    NO_DATA,
  };

  // test hooks for the formatting rules (no effect on the page)
  window.leaderHubFormat = { formatValue, formatChange, changeTone, formatDate, formatTime, trendFigure };

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("sign-out").addEventListener("click", signOut);
    window.addEventListener("hashchange", route);
    route();
  });
})();
