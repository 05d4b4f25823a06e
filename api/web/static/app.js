/*
 * Leader Hub page: plain JavaScript, no build step, no third-party code.
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

  // "2026-08-23" or "2026-08-23T07:00:00" -> "08/23/2026" (no time-zone conversion)
  function formatDate(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text || "");
    return m ? `${m[2]}/${m[3]}/${m[1]}` : NO_DATA;
  }

  // "2026-08-23T13:05:00" -> "1:05 PM" (the wall time the API sends)
  function formatTime(text) {
    const m = /T(\d{2}):(\d{2})/.exec(text || "");
    if (!m) return NO_DATA;
    const h = Number(m[1]);
    return `${h % 12 === 0 ? 12 : h % 12}:${m[2]} ${h < 12 ? "AM" : "PM"}`;
  }

  const MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
  ];

  function formatDayMonth(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text || "");
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

  function avatar(p, size) {
    return h("span", { class: `avatar ${size || ""}`, "aria-hidden": "true", text: initials(p) });
  }

  function messageBox(text, tone) {
    return h("div", { class: `message ${tone || ""}`, role: "status", text });
  }

  function select(attrs, options, value) {
    const el = h("select", attrs);
    for (const [v, label] of options) {
      const option = h("option", { value: v, text: label });
      if (String(v) === String(value)) option.selected = true;
      el.append(option);
    }
    return el;
  }

  function pager(data, onPage, noun, testid) {
    const totalPages = data.total_pages || 0;
    const page = data.page || 1;
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
        h("button", {
          type: "button",
          class: "button small",
          text: "Previous",
          disabled: page <= 1,
          onclick: () => onPage(page - 1),
        }),
        h("span", {
          class: "pager-page",
          testid: testid && `${testid}-page`,
          text: totalPages ? `Page ${page} of ${totalPages}` : "Page 0 of 0",
        }),
        h("button", {
          type: "button",
          class: "button small",
          text: "Next",
          disabled: page >= totalPages,
          onclick: () => onPage(page + 1),
        }),
      ),
    );
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

  async function request(path, params) {
    const url = new URL(path, window.location.origin);
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, value);
    }
    const token = getToken();
    const response = await fetch(url, {
      headers: token ? { Authorization: `Bearer ${token}`, Accept: "application/json" } : {},
      cache: "no-store",
    });
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

  const state = {
    hub: { market: null, title: "APP", metric: "on_scene_time", search: "", page: 1 },
    markets: null, // the token's markets (switcher), loaded once per sign-in
    seq: 0, // bumps on every view render; stale responses are dropped
  };

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
    state.hub = { market: null, title: "APP", metric: "on_scene_time", search: "", page: 1 };
    renderSession();
    if (window.location.hash === "#/") route();
    else window.location.hash = "#/";
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
    const view = document.getElementById("view");
    const error = h("p", { class: "message bad", role: "alert", testid: "login-error", hidden: true });
    const roles = h("div", { class: "dev-roles", testid: "dev-login" });
    const input = h("textarea", {
      id: "token-input",
      rows: 4,
      spellcheck: "false",
      autocomplete: "off",
      placeholder: "eyJhbGciOi…",
      testid: "token-input",
    });
    const form = h(
      "form",
      {
        class: "token-form",
        onsubmit: (event) => {
          event.preventDefault();
          const token = input.value.trim();
          if (token.split(".").length !== 3) {
            error.hidden = false;
            error.textContent = "That does not look like a JWT (three dot-separated parts).";
            return;
          }
          signIn(token);
        },
      },
      h("label", { for: "token-input", text: "Paste a bearer token" }),
      input,
      h("p", {
        class: "hint",
        text: "Kept in this tab only (sessionStorage). A dev token: kpi token --role \"Market Manager\" --markets 1,2,3",
      }),
      h("button", { type: "submit", class: "button primary", text: "Use token", testid: "token-submit" }),
    );
    replace(
      view,
      h(
        "section",
        { class: "card login", testid: "login" },
        h("h1", { text: "Sign in to the Leader Hub" }),
        reason ? messageBox(reason, "warn") : null,
        roles,
        form,
        error,
      ),
    );
    // The dev login exists only when the server runs in dev mode (kpi demo, kpi serve --dev).
    fetch(DEV_LOGIN, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => {
        if (seq !== state.seq || !body || !Array.isArray(body.items)) return;
        replace(
          roles,
          h("h2", { text: "Development login" }),
          h("p", {
            class: "hint",
            text: "This server runs in dev mode: pick a demo role and it signs a dev token for you.",
          }),
          h(
            "ul",
            { class: "role-list" },
            body.items.map((role) =>
              h(
                "li",
                {},
                h("button", {
                  type: "button",
                  class: "button role",
                  text: role.label,
                  testid: `dev-role-${role.id}`,
                  onclick: () => devLogin(role.id, error),
                }),
              ),
            ),
          ),
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
      error.hidden = false;
      error.textContent = err.message;
    }
  }

  // ---------------------------------------------------------------------- hub

  async function renderHub() {
    const seq = ++state.seq;
    const view = document.getElementById("view");
    const hub = state.hub;
    const marketSelect = h("select", { id: "market-select", testid: "market-select", disabled: true });
    const tiles = h("div", { class: "tiles", testid: "market-tiles" });
    const rankings = h("section", { class: "card rankings", testid: "rankings" });
    replace(
      view,
      h(
        "section",
        { class: "hub", testid: "hub" },
        h(
          "div",
          { class: "page-head" },
          h("div", {}, h("h1", { text: "Leader Hub" }), h("p", { class: "subtitle", testid: "market-name" })),
          h("label", { class: "field" }, h("span", { text: "Market" }), marketSelect),
        ),
        tiles,
        rankings,
      ),
    );
    try {
      if (!state.markets) state.markets = (await api("/markets")).items;
    } catch (err) {
      if (seq !== state.seq || (err instanceof ApiError && err.status === 401)) return;
      replace(view, h("section", { class: "card", testid: "hub-error" },
        h("h1", { text: "Leader Hub" }),
        messageBox(errorText(err), "bad"),
        h("button", { type: "button", class: "button", text: "Sign in with another role", onclick: signOut }),
      ));
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
    replace(
      marketSelect,
      markets.map((m) => {
        const option = h("option", { value: m.market_id, text: m.name || `Market ${m.market_id}` });
        option.selected = m.market_id === hub.market;
        return option;
      }),
    );
    marketSelect.disabled = markets.length < 2;
    marketSelect.addEventListener("change", () => {
      hub.market = Number(marketSelect.value);
      hub.page = 1;
      loadMarket(seq, tiles, view);
      loadRankings(seq, rankings);
    });
    buildRankings(seq, rankings);
    loadMarket(seq, tiles, view);
    loadRankings(seq, rankings);
  }

  async function loadMarket(seq, tiles, view) {
    const marketId = state.hub.market;
    tiles.setAttribute("aria-busy", "true");
    let market;
    try {
      market = await api(`/markets/${marketId}`);
    } catch (err) {
      if (seq === state.seq && marketId === state.hub.market) {
        replace(tiles, messageBox(errorText(err), "bad"));
      }
      return;
    }
    if (seq !== state.seq || marketId !== state.hub.market) return;
    const subtitle = view.querySelector("[data-testid=market-name]");
    subtitle.textContent = `${market.name || `Market ${marketId}`}${market.short_name ? ` (${market.short_name})` : ""} · week change vs 7 days earlier`;
    replace(tiles, MARKET_TILES.map((key) => metricTile(key, market[METRICS[key].value], market[METRICS[key].change])));
    tiles.removeAttribute("aria-busy");
  }

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
    const renderTabs = () => {
      replace(
        tabs,
        TABS[hub.title].map((key) =>
          h("button", {
            type: "button",
            role: "tab",
            class: "tab",
            "aria-selected": key === hub.metric ? "true" : "false",
            testid: `tab-${key}`,
            text: METRICS[key].label,
            onclick: () => {
              hub.metric = key;
              hub.page = 1;
              renderTabs();
              loadRankings(seq, container);
            },
          }),
        ),
      );
    };
    search.addEventListener(
      "input",
      debounce(() => {
        hub.search = search.value;
        hub.page = 1;
        loadRankings(seq, container);
      }, 250),
    );
    position.addEventListener("change", () => {
      hub.title = position.value;
      if (!TABS[hub.title].includes(hub.metric)) hub.metric = "on_scene_time";
      hub.page = 1;
      renderTabs();
      loadRankings(seq, container);
    });
    renderTabs();
    replace(
      container,
      h(
        "div",
        { class: "card-head" },
        h("h2", { text: "Care team rankings" }),
        h(
          "div",
          { class: "controls" },
          h("label", { class: "field inline" }, h("span", { text: "Position" }), position),
          search,
        ),
      ),
      tabs,
      body,
    );
  }

  let rankingRequest = 0;

  async function loadRankings(seq, container) {
    const hub = state.hub;
    const body = container.querySelector("[data-testid=ranking-body]");
    if (!body) return;
    const mine = ++rankingRequest;
    body.setAttribute("aria-busy", "true");
    const metric = METRICS[hub.metric];
    let data;
    try {
      data = await api(`/markets/${hub.market}/providers`, {
        job_title: hub.title,
        metric: hub.metric,
        search: hub.search.trim(),
        page: hub.page,
        per_page: RANKING_PAGE_SIZE,
      });
    } catch (err) {
      if (seq === state.seq && mine === rankingRequest) replace(body, messageBox(errorText(err), "bad"));
      return;
    }
    if (seq !== state.seq || mine !== rankingRequest) return;
    const rows = data.items.map((row) => {
      const p = row.provider;
      const open = () => {
        window.location.hash = `#/providers/${p.provider_id}`;
      };
      const tone = changeTone(hub.metric, row.week_change);
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
          text: formatValue(metric.kind, row.value),
        }),
        h("td", {
          class: `change ${tone} ${isNum(row.week_change) ? "" : "no-data"}`,
          "data-tone": tone,
          text: isNum(row.week_change) ? `${changeArrow(row.week_change)}${formatChange(metric.kind, row.week_change)}` : NO_DATA,
        }),
        h("td", {
          class: "rank",
          testid: "ranking-rank",
          text: row.rank === null ? NO_DATA : `rank ${row.rank} of ${row.ranked_providers}`,
        }),
      );
    });
    replace(
      body,
      h(
        "table",
        { class: "table", testid: "ranking-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { class: "num", text: "#" }),
            h("th", { text: "Care team member" }),
            h("th", { text: "Position" }),
            h("th", { text: metric.label }),
            h("th", { text: "Week change" }),
            h("th", { text: "Rank" }),
          ),
        ),
        h(
          "tbody",
          {},
          rows.length
            ? rows
            : h("tr", {}, h("td", { colspan: 6, class: "empty-row", text: hub.search ? "Nobody matches this search." : "No care team members." })),
        ),
      ),
      pager(data, (page) => {
        hub.page = page;
        loadRankings(seq, container);
      }, ["care team member", "care team members"], "ranking-pager"),
    );
    body.removeAttribute("aria-busy");
  }

  // --------------------------------------------------------------- individual

  async function renderProvider(providerId) {
    const seq = ++state.seq;
    const view = document.getElementById("view");
    const header = h("section", { class: "card profile", testid: "provider-header" }, messageBox("Loading…"));
    const visits = h("section", { class: "card", testid: "visits" });
    const perMarket = h("section", { class: "card", testid: "market-performance" });
    const shifts = h("section", { class: "card", testid: "shifts" });
    replace(
      view,
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
      if (seq !== state.seq || (err instanceof ApiError && err.status === 401)) return;
      replace(header, messageBox(errorText(err), "bad"));
      visits.remove();
      perMarket.remove();
      shifts.remove();
      return;
    }
    if (seq !== state.seq) return;
    const p = provider.provider;
    const title = p.job_title === "DHMT" ? "DHMT" : "APP";
    const marketNames = new Map(markets.items.map((m) => [m.market_id, m]));
    replace(
      header,
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
            ` Markets: ${markets.items.map((m) => m.name || m.market_id).join(", ") || NO_DATA}`,
          ),
        ),
      ),
      h(
        "div",
        { class: "tiles six", testid: "provider-metrics" },
        HEADER_METRICS[title].map((key) => metricTile(key, provider[METRICS[key].value])),
      ),
    );
    buildVisits(seq, visits, providerId);
    buildMarketPerformance(seq, perMarket, providerId, title, markets.items);
    buildShifts(seq, shifts, providerId, marketNames);
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
    let mine = 0;
    const load = async () => {
      const current = ++mine;
      body.setAttribute("aria-busy", "true");
      let data;
      try {
        data = await api(`/providers/${providerId}/provider-visits`, {
          search: filters.search.trim(),
          is_abx_prescribed: filters.abx,
          is_escalated: filters.escalated,
          page: filters.page,
          per_page: VISITS_PAGE_SIZE,
        });
      } catch (err) {
        if (seq === state.seq && current === mine) replace(body, messageBox(errorText(err), "bad"));
        return;
      }
      if (seq !== state.seq || current !== mine) return;
      const rows = data.items.map((v) =>
        h(
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
          h("td", {}, h("span", { class: `pill ${v.is_abx_prescribed ? "on" : ""}`, title: v.abx_details || null, text: yesNo(v.is_abx_prescribed) })),
          h("td", {}, h("span", { class: `pill ${v.is_escalated ? "warn" : ""}`, title: v.escalated_reason || null, text: yesNo(v.is_escalated) })),
        ),
      );
      replace(
        body,
        h(
          "table",
          { class: "table", testid: "visits-table" },
          h("thead", {}, h("tr", {}, ["Patient", "Date", "Chief complaint", "Diagnosis", "ABX", "Escalated"].map((t) => h("th", { text: t })))),
          h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 6, class: "empty-row", text: "No visits match." }))),
        ),
        pager(data, (page) => {
          filters.page = page;
          load();
        }, ["visit", "visits"], "visits-pager"),
      );
      body.removeAttribute("aria-busy");
    };
    search.addEventListener("input", debounce(() => {
      filters.search = search.value;
      filters.page = 1;
      load();
    }, 250));
    abx.addEventListener("change", () => {
      filters.abx = abx.value;
      filters.page = 1;
      load();
    });
    escalated.addEventListener("change", () => {
      filters.escalated = escalated.value;
      filters.page = 1;
      load();
    });
    replace(
      container,
      h(
        "div",
        { class: "card-head" },
        h("h2", { text: "Latest visits" }),
        h(
          "div",
          { class: "controls" },
          search,
          h("label", { class: "field inline" }, h("span", { text: "ABX" }), abx),
          h("label", { class: "field inline" }, h("span", { text: "Escalated" }), escalated),
        ),
      ),
      body,
    );
    load();
  }

  function buildMarketPerformance(seq, container, providerId, title, markets) {
    if (!markets.length) {
      replace(container, h("h2", { text: "Performance per market" }), messageBox("No markets.", "warn"));
      return;
    }
    // seed: default to the first market of the alphabetical list (the API sends them by name)
    const marketSelect = select(
      { testid: "provider-market-select", "aria-label": "Market" },
      markets.map((m) => [m.market_id, m.name || `Market ${m.market_id}`]),
      markets[0].market_id,
    );
    const tiles = h("div", { class: "tiles", testid: "provider-market-metrics" });
    let mine = 0;
    const load = async () => {
      const current = ++mine;
      const marketId = Number(marketSelect.value);
      tiles.setAttribute("aria-busy", "true");
      let data;
      try {
        data = await api(`/markets/${marketId}/providers/${providerId}`);
      } catch (err) {
        if (seq !== state.seq || current !== mine) return;
        const text = err instanceof ApiError && err.status === 403
          ? "This market is not among your sign-in's markets, so its figures are not shown."
          : errorText(err);
        replace(tiles, messageBox(text, "warn"));
        return;
      }
      if (seq !== state.seq || current !== mine) return;
      replace(
        tiles,
        MARKET_METRICS[title].map((key) => {
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
        }),
      );
      tiles.removeAttribute("aria-busy");
    };
    marketSelect.addEventListener("change", load);
    replace(
      container,
      h(
        "div",
        { class: "card-head" },
        h("h2", { text: "Performance per market" }),
        h("label", { class: "field inline" }, h("span", { text: "Market" }), marketSelect),
      ),
      tiles,
    );
    load();
  }

  function buildShifts(seq, container, providerId, marketNames) {
    const filters = { page: 1 };
    const body = h("div", { testid: "shifts-body" });
    let mine = 0;
    const load = async () => {
      const current = ++mine;
      body.setAttribute("aria-busy", "true");
      let data;
      try {
        data = await api(`/providers/${providerId}/provider-shifts`, {
          page: filters.page,
          per_page: SHIFTS_PAGE_SIZE,
        });
      } catch (err) {
        if (seq === state.seq && current === mine) replace(body, messageBox(errorText(err), "bad"));
        return;
      }
      if (seq !== state.seq || current !== mine) return;
      const rows = data.items.map((s) => {
        const market = marketNames.get(s.market_id);
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
          h("td", { text: formatDuration(s.out_the_door_duration_seconds) }),
          h("td", { text: formatDuration(s.en_route_duration_seconds) }),
          h("td", { text: formatDuration(s.on_scene_duration_seconds) }),
          h(
            "td",
            {},
            s.is_break_skipped
              ? h("span", { class: "pill warn", testid: "break-skipped", title: "No break was taken on this shift", text: "Break skipped" })
              : formatDuration(s.on_break_duration_seconds),
          ),
          h("td", { text: formatDuration(s.idle_duration_seconds) }),
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
      });
      replace(
        body,
        h(
          "table",
          { class: "table", testid: "shifts-table" },
          h("thead", {}, h("tr", {}, ["Shift", "Market", "Out the door", "En route", "On scene", "On break", "Idle", "Visits", ""].map((t) => h("th", { text: t })))),
          h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 9, class: "empty-row", text: "No shifts in the shift history window." }))),
        ),
        pager(data, (page) => {
          filters.page = page;
          load();
        }, ["shift", "shifts"], "shifts-pager"),
      );
      body.removeAttribute("aria-busy");
    };
    replace(container, h("div", { class: "card-head" }, h("h2", { text: "Shift breakdowns" }), h("span", { class: "muted", text: "newest first, 10 per page" })), body);
    load();
  }

  // ------------------------------------------------------------- shift modal

  let modalCleanup = null;

  function closeModal() {
    if (modalCleanup) modalCleanup();
  }

  async function openShiftModal(shift, market) {
    closeModal();
    const root = document.getElementById("modal-root");
    const previousFocus = document.activeElement;
    const content = h("div", { class: "modal-body", testid: "timeline-body" }, messageBox("Loading…"));
    const closeButton = h("button", { type: "button", class: "button ghost close", "aria-label": "Close", testid: "modal-close", text: "\u00D7" });
    const dialog = h(
      "div",
      { class: "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": "modal-title", testid: "shift-modal" },
      h(
        "div",
        { class: "modal-head" },
        h(
          "div",
          {},
          h("h2", { id: "modal-title", testid: "modal-title", text: `Shift breakdown \u00B7 ${formatDayMonth(shift.service_date)}` }),
          h("p", {
            class: "muted",
            text: `${formatDate(shift.service_date)} \u00B7 ${formatTime(shift.start_time)} \u2013 ${formatTime(shift.end_time)}${market ? ` \u00B7 ${market.name}` : ""}`,
          }),
        ),
        closeButton,
      ),
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
    let data;
    try {
      data = await api(`/provider-shifts/${shift.shift_team_id}/provider-shift-breakdowns`);
    } catch (err) {
      if (backdrop.isConnected) replace(content, messageBox(errorText(err), "bad"));
      return;
    }
    if (!backdrop.isConnected) return;
    replace(content, timeline(shift, data.items));
  }

  function timeline(shift, phases) {
    const starts = phases.map((p) => epochSeconds(p.start_time)).filter(isNum);
    const ends = phases.map((p) => epochSeconds(p.end_time)).filter(isNum);
    const from = Math.min(...[epochSeconds(shift.start_time), ...starts].filter(isNum));
    const to = Math.max(...[epochSeconds(shift.end_time), ...ends].filter(isNum));
    if (!phases.length || !isNum(from) || !isNum(to) || to <= from) {
      return messageBox("No phases were recorded for this shift.", "warn");
    }
    const span = to - from;
    const totals = {};
    const bar = h("div", { class: "timeline", testid: "timeline", role: "img", "aria-label": "Shift timeline" });
    for (const p of phases) {
      const start = epochSeconds(p.start_time);
      const end = epochSeconds(p.end_time);
      if (!isNum(start) || !isNum(end) || end <= start) continue;
      const phase = PHASES[p.phase] ? p.phase : "idle";
      totals[phase] = (totals[phase] || 0) + (end - start);
      const segment = h("div", {
        class: `segment phase-${phase}`,
        testid: `segment-${phase}`,
        title: `${PHASES[phase]}: ${formatTime(p.start_time)} \u2013 ${formatTime(p.end_time)} (${formatDuration(end - start)})`,
      });
      segment.style.left = `${((start - from) / span) * 100}%`;
      segment.style.width = `${((end - start) / span) * 100}%`;
      bar.append(segment);
    }
    const axis = h("div", { class: "axis" });
    const firstHour = Math.ceil(from / 3600) * 3600;
    const step = span > 12 * 3600 ? 2 * 3600 : 3600;
    for (let t = firstHour; t <= to; t += step) {
      const hour = new Date(t * 1000).getUTCHours();
      const tick = h("span", { class: "tick", text: `${hour % 12 === 0 ? 12 : hour % 12} ${hour < 12 ? "AM" : "PM"}` });
      tick.style.left = `${((t - from) / span) * 100}%`;
      axis.append(tick);
    }
    const legend = h(
      "ul",
      { class: "legend", testid: "timeline-legend" },
      Object.entries(PHASES).map(([key, label]) =>
        h("li", {}, h("span", { class: `swatch phase-${key}` }), `${label} `, h("strong", { text: formatDuration(totals[key] || 0) })),
      ),
    );
    const list = h(
      "table",
      { class: "table compact", testid: "timeline-table" },
      h("thead", {}, h("tr", {}, ["Phase", "From", "To", "Duration"].map((t) => h("th", { text: t })))),
      h(
        "tbody",
        {},
        phases.map((p) => {
          const start = epochSeconds(p.start_time);
          const end = epochSeconds(p.end_time);
          const phase = PHASES[p.phase] ? p.phase : "idle";
          return h(
            "tr",
            {},
            h("td", {}, h("span", { class: `swatch phase-${phase}` }), PHASES[phase]),
            h("td", { text: formatTime(p.start_time) }),
            h("td", { text: formatTime(p.end_time) }),
            h("td", { text: isNum(start) && isNum(end) ? formatDuration(end - start) : NO_DATA }),
          );
        }),
      ),
    );
    return [h("div", { class: "timeline-wrap" }, bar, axis), legend, shift.is_break_skipped ? messageBox("Break skipped on this shift.", "warn") : null, list];
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
    if (hash !== "#/") history.replaceState(null, "", "#/");
    renderHub();
  }

  // test hooks for the formatting rules (no effect on the page)
  window.leaderHubFormat = { formatValue, formatChange, changeTone, formatDate, formatTime };

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("sign-out").addEventListener("click", signOut);
    window.addEventListener("hashchange", route);
    route();
  });
})();
