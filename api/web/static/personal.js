/*
 * My Performance Hub (#/me, SPEC §11): a clinician's own page, over /v1/performance-hub.
 * Their overall tiles with goals, peer ranking (at most three named peers and their own
 * position), performance per market, the 7-day look back against their group's average,
 * their visits and shifts. Uses the helpers app.js exposes as window.KPI (loaded first);
 * the DOM is built with textContent only.
 */
"use strict";

(function () {
  const KPI = window.KPI;
  const {
    PERSONAL_API, NO_DATA, METRICS, TABS, HEADER_METRICS, MARKET_METRICS, isNum, formatValue,
    personName, marketName, h, replace, avatar, messageBox, errorMessage, select,
    field, cardHead, sectionLoader, metricTile, goalNote, request, state, viewLeft,
  } = KPI;

  const me = (path, params) => request(`${PERSONAL_API}/me${path}`, params);

  // ------------------------------------------------------------- the answers
  // A metric of GET /me or /me/markets/{m} (`metrics`, by value column): value,
  // week_change, rank, ranked_providers, goal, goal_direction, meets_goal, status
  // ("ok" | "not_enough_visits") and visits_needed.

  function personalMetric(data, key) {
    const column = METRICS[key].value;
    const found = (data.metrics || []).find((m) => m.metric === column);
    return found || { value: null, week_change: null, status: "ok", visits_needed: 0 };
  }

  const withheld = (m) => m && m.status === "not_enough_visits";

  function visitsNeededText(n) {
    return `Not enough visits: ${n} more needed`;
  }

  // "based on 112 visits" for a visit metric; on-task % is a shift metric.
  function basisNote(key, count) {
    if (key === "on_task_percent" || !isNum(count)) return null;
    return h("div", {
      class: "tile-basis",
      testid: `tile-${key}-basis`,
      text: `based on ${count} ${count === 1 ? "visit" : "visits"}`,
    });
  }

  function rankNote(key, m) {
    return h("div", {
      class: "tile-rank",
      testid: `tile-${key}-rank`,
      text: isNum(m.rank) ? `rank ${m.rank} of ${m.ranked_providers}` : `rank: ${NO_DATA}`,
    });
  }

  // A tile of the clinician's own metric: value, week change, (its rank in a market,)
  // what it rests on and its goal; withheld (too few visits) it says how many more
  // visits are needed instead, under the goal it is measured against.
  function personalTile(key, m, visitCount, ranked) {
    const goal = goalNote(key, m);
    if (withheld(m)) {
      const tile = metricTile(key, null, undefined, [
        h("div", {
          class: "tile-withheld",
          testid: `tile-${key}-withheld`,
          text: visitsNeededText(m.visits_needed),
        }),
        goal,
      ]);
      tile.querySelector(".tile-value").textContent = "Withheld";
      tile.dataset.status = "not_enough_visits";
      return tile;
    }
    return metricTile(key, m.value, m.week_change, [
      ranked ? rankNote(key, m) : null,
      basisNote(key, visitCount),
      goal,
    ]);
  }

  // ---------------------------------------------------------------- the page

  async function renderPersonal() {
    const seq = ++state.seq;
    const head = h("section", { class: "card profile", testid: "me-header" }, messageBox("Loading…"));
    const sections = {
      peers: h("section", { class: "card", testid: "peer-ranking" }),
      perMarket: h("section", { class: "card", testid: "me-market-performance" }),
      lookBack: h("section", { class: "card", testid: "look-back" }),
      visits: h("section", { class: "card", testid: "visits" }),
      shifts: h("section", { class: "card", testid: "shifts" }),
    };
    replace(
      document.getElementById("view"),
      h("section", { class: "personal", testid: "personal-hub" }, head, Object.values(sections)),
    );
    const fail = (message) => {
      replace(head, message);
      for (const section of Object.values(sections)) section.remove();
    };
    let data;
    let markets;
    try {
      data = await KPI.whoAmI();
      if (data && data.provider) markets = await me("/markets");
    } catch (err) {
      if (!viewLeft(seq, err)) fail(errorMessage(err));
      return;
    }
    if (seq !== state.seq) return;
    if (!data || !data.provider) {
      fail(messageBox("This sign-in is not a clinician's: there is no personal hub to show.", "warn"));
      return;
    }
    const title = data.provider.job_title === "DHMT" ? "DHMT" : "APP";
    replace(head, personalHeader(data, title, markets.items));
    buildPeerRanking(seq, sections.peers, title, markets.items);
    buildMarketPerformance(seq, sections.perMarket, title, markets.items);
    KPI.buildLookBack(seq, sections.lookBack);
    KPI.buildVisits(seq, sections.visits, `${PERSONAL_API}/me/visits`);
    KPI.buildShifts(seq, sections.shifts, shiftPaths(), new Map(markets.items.map((m) => [m.market_id, m])));
  }

  function shiftPaths() {
    return {
      shifts: `${PERSONAL_API}/me/shifts`,
      breakdowns: (id) => `${PERSONAL_API}/me/shifts/${id}/breakdowns`,
    };
  }

  function personalHeader(data, title, markets) {
    const p = data.provider;
    const keys = HEADER_METRICS[title];
    const count = data.visit_count;
    const held = keys.map((key) => personalMetric(data, key)).filter(withheld);
    const short = held.length > 0;
    const needed = short ? held[0].visits_needed : 0;
    return [
      KPI.profileHead(
        p,
        markets,
        "me-name",
        "me-title",
        h("p", {
          class: `basis ${short ? "warn" : ""}`,
          testid: "me-basis",
          text: short
            ? `${visitsNeededText(needed)} before your visit metrics are shown (${count ?? 0} so far).`
            : `Your figures are based on ${count} visits; week change vs 7 days earlier.`,
        }),
      ),
      h(
        "div",
        { class: "tiles six", testid: "me-tiles" },
        keys.map((key) => personalTile(key, personalMetric(data, key), count, false)),
      ),
    ];
  }

  // ------------------------------------------------------------ peer ranking
  // Among the clinician's job title in one of their markets: at most three named peers
  // (the marquee), their own rank, and the anonymous spread of values.

  function buildPeerRanking(seq, container, title, markets) {
    if (!markets.length) {
      replace(container, h("h2", { text: "Peer ranking" }), messageBox("No markets.", "warn"));
      return;
    }
    const choice = { market: markets[0].market_id, metric: TABS[title][0] };
    const marketSelect = select(
      { testid: "peer-market-select", "aria-label": "Market" },
      markets.map((m) => [m.market_id, marketName(m)]),
      choice.market,
    );
    const tabs = h("div", { class: "tabs", role: "tablist", testid: "peer-tabs" });
    const body = h("div", { class: "peer-body", testid: "peer-body" });
    const load = sectionLoader(
      seq,
      body,
      () => me("/peer-rankings", { market_id: choice.market, metric: choice.metric }),
      (data) => peerRanking(data, choice.metric),
    );
    const renderTabs = () =>
      replace(
        tabs,
        TABS[title].map((key) =>
          h("button", {
            type: "button",
            role: "tab",
            class: "tab",
            "aria-selected": key === choice.metric ? "true" : "false",
            testid: `peer-tab-${key}`,
            text: METRICS[key].label,
            onclick: () => {
              choice.metric = key;
              renderTabs();
              load();
            },
          }),
        ),
      );
    marketSelect.addEventListener("change", () => {
      choice.market = Number(marketSelect.value);
      load();
    });
    renderTabs();
    replace(container, cardHead("Peer ranking", field("Market", marketSelect, true)), tabs, body);
    load();
  }

  function peerRanking(data, key) {
    const kind = METRICS[key].kind;
    const own = data.me;
    const position = withheld(own)
      ? visitsNeededText(own.visits_needed)
      : isNum(own.rank)
        ? `You: rank ${own.rank} of ${data.ranked_providers} \u00B7 ${formatValue(kind, own.value)}`
        : `You: not ranked (${formatValue(kind, own.value)})`;
    return [
      h(
        "ol",
        { class: "marquee", testid: "marquee" },
        data.marquee.map((peer) =>
          h(
            "li",
            { class: `marquee-entry ${peer.is_me ? "me" : ""}`, testid: "marquee-entry" },
            h("span", { class: "marquee-rank", text: `#${peer.rank}` }),
            avatar(peer),
            h("span", {
              class: "person-name",
              testid: "marquee-name",
              text: peer.is_me ? `${personName(peer)} (you)` : personName(peer),
            }),
            h("span", { class: "marquee-value", testid: "marquee-value", text: formatValue(kind, peer.value) }),
          ),
        ),
      ),
      data.marquee.length ? null : messageBox("Nobody with enough visits is ranked here yet.", "warn"),
      h("p", { class: `own-position ${withheld(own) ? "warn" : ""}`, testid: "own-position", text: position }),
      goalNote(key, own),
      Array.isArray(data.distribution) ? KPI.spreadChart(data.distribution, own, key) : null,
    ];
  }

  // ---------------------------------------------------- performance per market

  function buildMarketPerformance(seq, container, title, markets) {
    if (!markets.length) {
      replace(container, h("h2", { text: "Performance per market" }), messageBox("No markets.", "warn"));
      return;
    }
    const marketSelect = select(
      { testid: "me-market-select", "aria-label": "Market" },
      markets.map((m) => [m.market_id, marketName(m)]),
      markets[0].market_id,
    );
    const tiles = h("div", { testid: "me-market-metrics" });
    const load = sectionLoader(
      seq,
      tiles,
      () => me(`/markets/${Number(marketSelect.value)}`),
      (data) => [
        h("p", { class: "basis", testid: "me-market-basis", text: marketBasis(data) }),
        h(
          "div",
          { class: "tiles" },
          MARKET_METRICS[title].map((key) =>
            personalTile(key, personalMetric(data, key), data.visit_count, true),
          ),
        ),
      ],
    );
    marketSelect.addEventListener("change", load);
    replace(container, cardHead("Performance per market", field("Market", marketSelect, true)), tiles);
    load();
  }

  function marketBasis(data) {
    const needed = Math.max(0, (data.personal_min_visits || 0) - data.visit_count);
    return needed > 0
      ? `${data.visit_count} visits in ${marketName(data)}: ${visitsNeededText(needed).toLowerCase()} here.`
      : `Based on ${data.visit_count} visits in ${marketName(data)}; ranks among your job title there.`;
  }

  KPI.renderPersonal = renderPersonal;
  KPI.visitsNeededText = visitsNeededText;
})();
