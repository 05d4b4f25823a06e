/*
 * The Leader Hub (#/hub: market tiles, care-team rankings) and the individual page
 * (#/providers/{id}) over /v1/leader-hub-metrics. Uses the helpers app.js exposes as
 * window.KPI (loaded first); the DOM is built with textContent only.
 */
"use strict";

(function () {
  const KPI = window.KPI;
  const {
    API, NO_DATA, METRICS, MARKET_TILES, TABS, HEADER_METRICS, MARKET_METRICS, RANKING_PAGE_SIZE,
    isNum, formatValue, formatChange, changeTone, changeArrow, personName, marketName, h,
    replace, debounce, avatar, messageBox, errorMessage, errorText, setOptions, select, field,
    cardHead, controls, dataTable, refilter, sectionLoader, pagedSection, metricTile, goalIn,
    goalNote, intervalSwitch, trendCharts, api, ApiError, state, viewLeft, signOut,
  } = KPI;

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
        const drawn = MARKET_TILES.map((key) => {
          const m = METRICS[key];
          const tile = metricTile(key, market[m.value], market[m.change], goalNote(key, goalIn(market, key)));
          window.kpiWhy.decorateTile(tile, key, market, `/markets/${market.market_id}`);
          return tile;
        });
        const path = `/markets/${market.market_id}/history`;
        loadTrends = trendCharts(seq, drawn, MARKET_TILES, path, state.hub, market.goals);
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
      [{ class: "num", text: "#" }, "Care team member", "Position", metric.label, "Week change", "Rank", "Goal"],
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
    const valueCell = h(
      "td",
      { class: `value ${isNum(row.value) ? "" : "no-data"}` },
      h("span", { testid: "ranking-value", text: formatValue(kind, row.value) }),
    );
    const changeCell = h("td", {
      class: `change ${tone} ${isNum(row.week_change) ? "" : "no-data"}`,
      testid: "ranking-change",
      "data-tone": tone,
      text: isNum(row.week_change) ? `${changeArrow(row.week_change)}${formatChange(kind, row.week_change)}` : NO_DATA,
    });
    window.kpiWhy.decorateRankingChange(valueCell, changeCell, metricKey, row, state.hub.market);
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
      valueCell,
      changeCell,
      h("td", {
        class: "rank",
        testid: "ranking-rank",
        text: row.rank === null ? NO_DATA : `rank ${row.rank} of ${row.ranked_providers}`,
      }),
      h("td", { testid: "ranking-goal" }, goalCell(metricKey, goalIn(row))),
    );
  }

  // A ranking row's goal: "✓ ≤ 30 min" (met), "✗ ≤ 30 min" (not met), or the goal alone.
  function goalCell(key, g) {
    if (!g || !isNum(g.goal)) return h("span", { class: "muted", text: "\u2013" });
    const note = goalNote(key, g);
    const met = note.dataset.meets;
    const mark = met === "met" ? "\u2713 " : met === "missed" ? "\u2717 " : "";
    return h("span", {
      class: `pill goal ${met}`,
      "data-meets": met,
      title: note.textContent,
      text: `${mark}${note.firstChild.textContent.replace("Goal ", "")}`,
    });
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
        h("a", { href: "#/hub", class: "back", testid: "back", text: "\u2190 Leader Hub" }),
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
    KPI.buildVisits(seq, visits, `${API}/providers/${providerId}/provider-visits`);
    buildMarketPerformance(seq, perMarket, providerId, title, markets.items, trends);
    const shiftPaths = {
      shifts: `${API}/providers/${providerId}/provider-shifts`,
      breakdowns: (id) => `${API}/provider-shifts/${id}/provider-shift-breakdowns`,
    };
    KPI.buildShifts(seq, shifts, shiftPaths, new Map(markets.items.map((m) => [m.market_id, m])));
  }

  // Name, position and markets, then the overall metrics of the position (no week changes),
  // each with its trend (the provider's history).
  function providerHeader(seq, provider, title, markets, trends) {
    const p = provider.provider;
    const keys = HEADER_METRICS[title];
    const tiles = keys.map((key) =>
      metricTile(key, provider[METRICS[key].value], undefined, goalNote(key, goalIn(provider, key))),
    );
    const path = `/providers/${p.provider_id}/history`;
    trends.loads.overall = trendCharts(seq, tiles, keys, path, trends, provider.goals);
    trends.loads.overall();
    return [
      KPI.profileHead(p, markets, "provider-name", "provider-title"),
      h("div", { class: "tiles six", testid: "provider-metrics" }, tiles),
    ];
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
        trends.loads.market = trendCharts(seq, drawn, keys, path, trends, data.goals);
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
  // With `withChange`, its week change too (the personal hub's per-market tiles).
  function rankedTile(key, data, withChange) {
    const m = METRICS[key];
    const rank = data[m.rank];
    return metricTile(key, data[m.value], withChange ? data[m.change] : undefined, [
      h("div", {
        class: "tile-rank",
        testid: `tile-${key}-rank`,
        text: isNum(rank) ? `rank ${rank} of ${data[m.ranked]}` : `rank: ${NO_DATA}`,
      }),
      goalNote(key, goalIn(data, key)),
    ]);
  }

  Object.assign(KPI, { renderHub, renderProvider, rankedTile });
})();
