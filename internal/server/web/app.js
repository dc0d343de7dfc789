// Public search page of apisearch — catalogue des API publiques.
//
// Plain ES2020, no dependencies. The page talks to the same-origin JSON API:
//   GET /search        results, facets and pagination; typing=1 on as-you-type requests, so
//                      that the statistics count the searches people settle on, not keystrokes
//   GET /autocomplete  suggestions for the combobox
//   POST /stats/click  a beacon when a result is opened (the query and the API's slug only)
// Layout of this file:
//   1. constants and DOM handles
//   2. state <-> URL query string
//   3. fetching (errors, stale answers)
//   4. search: running a request and rendering its answer
//      (total, notice of a partial answer, results, "no results", facets, pagination)
//   5. combobox (WAI-ARIA 1.2, list autocomplete)
//   6. event wiring and start-up
'use strict';

(() => {
  // ---------------------------------------------------------------------------
  // 1. Constants and DOM handles
  // ---------------------------------------------------------------------------

  const PER_PAGE = 20;
  const MAX_PAGE = 1000; // the server refuses deeper pages
  const DEFAULT_SORT = 'relevance';
  const SORTS = ['relevance', 'title', 'popularity'];
  const FACETS = ['access', 'theme', 'producer'];
  const MAX_PRODUCERS = 10; // producers shown before « Voir tout »
  const AUTOCOMPLETE_DELAY = 150; // ms
  const SEARCH_DELAY = 250; // ms, search-as-you-type
  const SETTLE_DELAY = 2000; // ms without typing after which the results on screen count as a search
  const SUGGESTION_LIMIT = 8;
  const PAGE_TITLE = 'Catalogue des API publiques — recherche';
  const PARTIAL_MESSAGE = 'Aucune API ne contient tous vos mots : voici celles qui en contiennent une partie.';

  const ACCESS_LABELS = { open: 'Ouverte', account: 'Sur compte', restricted: 'Sur habilitation' };
  const KIND_LABELS = { api: 'API', producer: 'Producteur', theme: 'Thème', term: 'Terme' };

  const byId = (id) => document.getElementById(id);
  const els = {
    form: byId('search-form'),
    q: byId('q'),
    suggestions: byId('suggestions'),
    status: byId('status'),
    error: byId('error'),
    region: byId('results-region'),
    total: byId('total'),
    sort: byId('sort'),
    results: byId('results'),
    noResults: byId('no-results'),
    queryNotice: byId('query-notice'),
    pagination: byId('pagination'),
    prev: byId('prev'),
    next: byId('next'),
    pageInfo: byId('page-info'),
    facets: byId('facets'),
    facet: {
      access: byId('facet-access'),
      theme: byId('facet-theme'),
      producer: byId('facet-producer'),
    },
    producerToggle: byId('producer-toggle'),
    clearFilters: byId('clear-filters'),
    facetsToggle: byId('facets-toggle'),
    facetsPanel: byId('facets-panel'),
  };

  // Current search. q is kept as typed; it is trimmed when sent or put in the URL.
  let state = defaultState();
  // Facets of the last answer, kept to re-render producers on « Voir tout ».
  let lastFacets = null;
  let showAllProducers = false;

  const numberFormat = new Intl.NumberFormat('fr-FR');

  /** Creates an element with an optional class and text (always inserted as text). */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /**
   * Fills node with a server highlight. Highlights are guaranteed by the server to contain
   * only <mark> tags, everything else escaped, so they are the one thing set as HTML.
   * Without a highlight, the plain fallback is inserted as text.
   */
  function setHighlight(node, html, fallback) {
    if (typeof html === 'string' && html !== '') node.innerHTML = html;
    else node.textContent = fallback || '';
  }

  /** Sets the polite live region, for screen readers. */
  function announce(message) {
    els.status.textContent = message;
  }

  // ---------------------------------------------------------------------------
  // 2. State <-> URL query string
  // ---------------------------------------------------------------------------

  function defaultState() {
    return { q: '', access: [], theme: [], producer: [], page: 1, sort: DEFAULT_SORT };
  }

  /** Distinct, non-empty values, in order. */
  function distinct(values) {
    return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
  }

  /** Reads a state from a query string ("?q=…&theme=…"); unknown or invalid values fall back to defaults. */
  function stateFromQuery(search) {
    const params = new URLSearchParams(search);
    const s = defaultState();
    s.q = (params.get('q') || '').trim();
    for (const name of FACETS) s[name] = distinct(params.getAll(name));
    const page = Number.parseInt(params.get('page') || '', 10);
    s.page = Number.isFinite(page) && page >= 1 ? Math.min(page, MAX_PAGE) : 1;
    const sort = params.get('sort');
    s.sort = SORTS.includes(sort) ? sort : DEFAULT_SORT;
    return s;
  }

  /** The URL parameters of a state, defaults omitted. */
  function stateToParams(s) {
    const params = new URLSearchParams();
    const q = s.q.trim();
    if (q) params.set('q', q);
    for (const name of FACETS) for (const value of s[name]) params.append(name, value);
    if (s.page > 1) params.set('page', String(s.page));
    if (s.sort !== DEFAULT_SORT) params.set('sort', s.sort);
    return params;
  }

  /** A page-relative URL for a state: "?q=…" or the bare path when everything is default. */
  function stateToURL(s) {
    const query = stateToParams(s).toString();
    return query ? `?${query}` : window.location.pathname;
  }

  /**
   * Records the state in the address bar. mode: 'push' (a search made by the user),
   * 'replace' (typing) or 'none' (load, back/forward). An unchanged URL is never pushed twice.
   */
  function updateHistory(mode) {
    if (mode === 'none') return;
    const url = stateToURL(state);
    const query = stateToParams(state).toString();
    const current = window.location.search.replace(/^\?/, '');
    if (mode === 'push' && query !== current) window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
  }

  /** Puts the state into the form controls (input, sort, ticked boxes). */
  function syncControls() {
    if (els.q.value.trim() !== state.q.trim()) els.q.value = state.q;
    els.sort.value = state.sort;
    for (const box of els.facets.querySelectorAll('input[type="checkbox"]')) {
      box.checked = state[box.name] ? state[box.name].includes(box.value) : false;
    }
    updateClearFilters();
  }

  function hasFilters() {
    return FACETS.some((name) => state[name].length > 0);
  }

  function updateTitle() {
    const q = state.q.trim();
    document.title = q ? `« ${q} » — ${PAGE_TITLE}` : PAGE_TITLE;
  }

  // ---------------------------------------------------------------------------
  // 3. Fetching
  // ---------------------------------------------------------------------------

  /**
   * GETs a JSON document. Rejects with an Error whose message is fit for the user:
   * the server's error.message on 4xx/5xx, a French message on network failure.
   * An aborted request rejects with the AbortError itself, for the caller to ignore.
   */
  async function fetchJSON(url, signal) {
    let response;
    try {
      response = await fetch(url, { signal, headers: { Accept: 'application/json' } });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new Error('Impossible de joindre le service de recherche. Vérifiez votre connexion puis réessayez.');
    }
    let body = null;
    try {
      body = await response.json();
    } catch (err) {
      if (err.name === 'AbortError') throw err;
    }
    if (!response.ok) {
      const message = body && body.error && body.error.message;
      throw new Error(message || `Le service de recherche a renvoyé une erreur (HTTP ${response.status}).`);
    }
    if (!body || typeof body !== 'object') throw new Error('Réponse inattendue du service de recherche.');
    return body;
  }

  function showError(message) {
    els.error.replaceChildren(el('strong', null, 'Erreur : '), document.createTextNode(message));
    els.error.hidden = false;
  }

  function hideError() {
    els.error.hidden = true;
    els.error.replaceChildren();
  }

  // ---------------------------------------------------------------------------
  // 4. Search
  // ---------------------------------------------------------------------------

  let searchController = null; // AbortController of the request in flight
  let searchSeq = 0; // only the answer to the latest request is rendered
  let searchTimer = 0; // debounce of search-as-you-type
  let unsettled = null; // parameters of the as-you-type search on screen, not yet counted
  let settleTimer = 0;

  /**
   * Runs the search of the current state. typing: sent as the person types (typing=1), which
   * the statistics count apart; it counts as a search once the person stops typing for
   * SETTLE_DELAY or opens a result (settle). Any other search counts at once.
   */
  async function runSearch({ history = 'push', focusResults = false, typing = false } = {}) {
    clearTimeout(searchTimer);
    clearTimeout(settleTimer);
    unsettled = null;
    updateHistory(history);
    updateTitle();
    updateClearFilters();

    const seq = ++searchSeq;
    if (searchController) searchController.abort();
    const controller = new AbortController();
    searchController = controller;

    const params = stateToParams(state);
    params.set('page', String(state.page));
    params.set('per_page', String(PER_PAGE));
    params.set('sort', state.sort);
    const sent = new URLSearchParams(params);
    if (typing) sent.set('typing', '1');

    setBusy(true);
    try {
      const data = await fetchJSON(`/search?${sent}`, controller.signal);
      if (seq !== searchSeq) return; // a newer search was started meanwhile
      hideError();
      const pages = pageCount(data);
      // A shared URL may point past the last page: go to the last one instead.
      if (data.total > 0 && (!data.hits || data.hits.length === 0) && state.page > pages) {
        state.page = pages;
        runSearch({ history: 'replace', focusResults, typing });
        return;
      }
      if (typing) {
        unsettled = params;
        settleTimer = setTimeout(settle, SETTLE_DELAY);
      }
      renderSearch(data);
      if (focusResults) els.total.focus();
    } catch (err) {
      if (seq !== searchSeq || err.name === 'AbortError') return;
      showError(err.message);
      els.total.textContent = 'La recherche n’a pas abouti.';
      announce(`Erreur : ${err.message}`);
    } finally {
      if (seq === searchSeq) {
        setBusy(false);
        searchController = null;
      }
    }
  }

  /** Schedules a search-as-you-type (URL replaced, not pushed). */
  function scheduleSearch() {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => runSearch({ history: 'replace', typing: true }), SEARCH_DELAY);
  }

  /**
   * Counts the as-you-type search on screen as a search: the same request without typing=1,
   * whose answer the server already holds. keepalive lets it outlive the page when a result
   * is being opened.
   */
  function settle() {
    clearTimeout(settleTimer);
    if (!unsettled) return;
    const params = unsettled;
    unsettled = null;
    fetch(`/search?${params}`, { keepalive: true, headers: { Accept: 'application/json' } }).catch(() => {});
  }

  /**
   * A result's link was followed (click, Enter, middle click): the search counts if it had
   * not yet, and a beacon tells which API was opened for which query. No cookie, nothing
   * about the person.
   */
  function onResultOpened(event) {
    if (event.type === 'auxclick' && event.button !== 1) return;
    const link = event.target.closest('a');
    const hit = link && link.closest('.hit');
    if (!hit || !hit.dataset.slug) return;
    settle();
    const beacon = `/stats/click?${new URLSearchParams({ q: state.q.trim(), slug: hit.dataset.slug })}`;
    if (!(navigator.sendBeacon && navigator.sendBeacon(beacon))) {
      fetch(beacon, { method: 'POST', keepalive: true }).catch(() => {});
    }
  }

  function setBusy(busy) {
    els.region.setAttribute('aria-busy', busy ? 'true' : 'false');
    els.region.classList.toggle('is-loading', busy);
  }

  function pageCount(data) {
    const perPage = data.per_page || PER_PAGE;
    return Math.max(1, Math.min(MAX_PAGE, Math.ceil((data.total || 0) / perPage)));
  }

  function totalText(total) {
    if (!total) return 'Aucune API trouvée';
    if (total === 1) return '1 API trouvée';
    return `${numberFormat.format(total)} API trouvées`;
  }

  /** Renders a whole /search answer. */
  function renderSearch(data) {
    const total = data.total || 0;
    if (data.page) state.page = data.page;
    els.total.textContent = totalText(total);
    renderResults(data.hits || [], data);
    renderQueryNotice(data);
    renderNoResults(data);
    renderFacets(data.facets || {});
    renderPagination(data);
    const suggestionNote = isListOpen() ? `${suggestionCountText(suggestions.length)}. ` : '';
    const partialNote = total && data.partial ? ` ${PARTIAL_MESSAGE}` : '';
    announce(`${suggestionNote}${totalText(total)}.${partialNote}`);
  }

  /** The answer's unknown_words: the query's words that nothing in the catalogue matched. */
  function unknownWords(data) {
    const words = Array.isArray(data.unknown_words) ? data.unknown_words : [];
    return words.filter((w) => typeof w === 'string' && w !== '');
  }

  /** « Aucun résultat pour : mot, mot. », each word inserted as text. */
  function unknownWordsLine(words) {
    const line = el('p', 'unknown-words', 'Aucun résultat pour : ');
    words.forEach((word, i) => {
      if (i > 0) line.append(', ');
      line.appendChild(el('strong', null, word));
    });
    line.append('.');
    return line;
  }

  /**
   * Shows <div id="query-notice"> above results that hold only some of the query's words
   * (partial), or beside which some words matched nothing, naming those words.
   */
  function renderQueryNotice(data) {
    const words = unknownWords(data);
    const show = Boolean(data.total) && (Boolean(data.partial) || words.length > 0);
    els.queryNotice.hidden = !show;
    els.queryNotice.replaceChildren();
    if (!show) return;
    if (data.partial) els.queryNotice.appendChild(el('p', 'partial-message', PARTIAL_MESSAGE));
    if (words.length > 0) els.queryNotice.appendChild(unknownWordsLine(words));
  }

  /** Fills <ol id="results"> with one <li class="hit"> per hit. */
  function renderResults(hits, data) {
    const fragment = document.createDocumentFragment();
    for (const hit of hits) fragment.appendChild(renderHit(hit));
    els.results.replaceChildren(fragment);
    els.results.start = ((data.page || 1) - 1) * (data.per_page || PER_PAGE) + 1;
    els.results.hidden = hits.length === 0;
  }

  function renderHit(hit) {
    const hl = hit.highlights || {};
    const li = el('li', 'hit');
    li.dataset.slug = hit.slug || '';

    const title = el('h3', 'hit-title');
    const link = el('a');
    link.href = apiPage(hit.slug || '');
    setHighlight(link, hl.title, hit.title || hit.slug);
    title.appendChild(link);

    const tagline = el('p', 'hit-tagline');
    setHighlight(tagline, hl.tagline, hit.tagline);

    const body = el('p', 'hit-body');
    setHighlight(body, hl.body, '');

    const meta = el('div', 'hit-meta');
    const producer = hit.producer || {};
    const producerEl = el('span', 'hit-producer', producer.name || producer.acronym || '');
    if (producer.acronym && producer.acronym !== producer.name) producerEl.title = producer.acronym;
    meta.appendChild(producerEl);

    const themes = el('ul', 'hit-themes');
    themes.setAttribute('aria-label', 'Thèmes');
    for (const theme of hit.themes || []) themes.appendChild(el('li', 'hit-theme', theme));
    if (themes.childElementCount > 0) meta.appendChild(themes);

    const access = hit.access in ACCESS_LABELS ? hit.access : 'unknown';
    const accessEl = el('span', `hit-access access-${access}`, ACCESS_LABELS[access] || hit.access || '');
    accessEl.title = 'Type d’accès';
    meta.appendChild(accessEl);

    li.append(title, tagline, body, meta);
    return li;
  }

  /** Shows <div id="no-results"> when nothing matched, with the spelling suggestion if any. */
  function renderNoResults(data) {
    const none = !data.total;
    els.noResults.hidden = !none;
    els.noResults.replaceChildren();
    if (!none) return;

    const q = state.q.trim();
    const message = q
      ? `Aucune API ne correspond à «\u00a0${q}\u00a0»${hasFilters() ? ' avec les filtres sélectionnés' : ''}.`
      : 'Aucune API ne correspond aux filtres sélectionnés.';
    els.noResults.appendChild(el('p', 'no-results-message', message));
    // Which words matched nothing, when that is more than the one word the message names.
    const words = unknownWords(data);
    if (words.length > 0 && (hasFilters() || q.split(/\s+/).length > 1)) {
      els.noResults.appendChild(unknownWordsLine(words));
    }

    if (data.did_you_mean) {
      const line = el('p', 'did-you-mean-line', 'Essayez : ');
      const link = el('a', null, data.did_you_mean);
      link.id = 'did-you-mean';
      link.href = stateToURL({ ...state, q: data.did_you_mean, page: 1 });
      line.appendChild(link);
      els.noResults.appendChild(line);
    }

    const hint = el('p', 'no-results-hint');
    if (hasFilters()) {
      hint.append('Vous pouvez aussi ');
      const clear = el('button', 'btn btn-link', 'retirer tous les filtres');
      clear.type = 'button';
      clear.dataset.action = 'clear-filters';
      hint.append(clear, '.');
    } else {
      hint.textContent = 'Vérifiez l’orthographe ou essayez des termes plus généraux.';
    }
    els.noResults.appendChild(hint);
  }

  /** Renders the three facet fieldsets from the answer's disjunctive counts. */
  function renderFacets(facets) {
    lastFacets = facets;
    for (const name of FACETS) renderFacet(name, Array.isArray(facets[name]) ? facets[name] : []);
    updateClearFilters();
    updateFacetsToggle();
  }

  function facetLabel(name, value) {
    return name === 'access' ? ACCESS_LABELS[value] || value : value;
  }

  function renderFacet(name, values) {
    const fieldset = els.facet[name];
    const list = fieldset.querySelector('.facet-values');

    // Keep keyboard focus on the same checkbox across the re-render.
    const active = document.activeElement;
    const focusedValue = active && active.name === name && list.contains(active) ? active.value : null;

    // A selected value the answer does not list (e.g. from a URL) stays visible so it can be unticked.
    const items = values.slice();
    for (const value of state[name]) {
      if (!items.some((item) => item.value === value)) {
        items.push({ value, label: facetLabel(name, value), count: 0, selected: true });
      }
    }

    const fragment = document.createDocumentFragment();
    if (items.length === 0) fragment.appendChild(el('li', 'facet-empty', 'Aucune valeur'));
    items.forEach((item, index) => {
      const li = el('li', 'facet-value');
      const label = el('label');
      const box = el('input');
      box.type = 'checkbox';
      box.name = name;
      box.value = item.value;
      box.checked = Boolean(item.selected);
      label.append(
        box,
        el('span', 'facet-label', item.label || facetLabel(name, item.value)),
        el('span', 'count', numberFormat.format(item.count || 0)),
        el('span', 'visually-hidden', ' API'),
      );
      li.appendChild(label);
      if (name === 'producer' && index >= MAX_PRODUCERS && !showAllProducers && !box.checked) li.hidden = true;
      fragment.appendChild(li);
    });
    list.replaceChildren(fragment);

    if (name === 'producer') {
      const extra = items.length > MAX_PRODUCERS;
      els.producerToggle.hidden = !extra;
      els.producerToggle.setAttribute('aria-expanded', showAllProducers ? 'true' : 'false');
      els.producerToggle.textContent = showAllProducers ? 'Voir moins' : 'Voir tout';
      els.producerToggle.title = `${items.length} producteurs`;
    }

    if (focusedValue !== null) {
      const box = [...list.querySelectorAll('input')].find((b) => b.value === focusedValue);
      if (box && !box.closest('li').hidden) box.focus();
      else if (name === 'producer' && !els.producerToggle.hidden) els.producerToggle.focus();
    }
  }

  function updateClearFilters() {
    els.clearFilters.hidden = !hasFilters();
  }

  /** The phone's « Afficher les filtres » button: open or folded, and how many are ticked. */
  function updateFacetsToggle() {
    const open = els.facetsPanel.classList.contains('is-open');
    const ticked = FACETS.reduce((n, name) => n + state[name].length, 0);
    els.facetsToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    els.facetsToggle.textContent = `${open ? 'Masquer' : 'Afficher'} les filtres${ticked ? ` (${ticked})` : ''}`;
  }

  function renderPagination(data) {
    const total = data.total || 0;
    const pages = pageCount(data);
    const page = data.page || state.page;
    els.pagination.hidden = total === 0;
    els.pageInfo.textContent = `Page ${page} sur ${pages}`;
    els.prev.disabled = page <= 1;
    els.next.disabled = page >= pages;
  }

  // ---------------------------------------------------------------------------
  // 5. Combobox (WAI-ARIA 1.2, aria-autocomplete="list")
  // ---------------------------------------------------------------------------

  let suggestions = []; // suggestions currently in the list
  let suggestionsFor = null; // the query they answer
  let activeIndex = -1; // active option, -1 for none
  let acController = null;
  let acSeq = 0;
  let acTimer = 0;

  function isListOpen() {
    return !els.suggestions.hidden;
  }

  function suggestionCountText(n) {
    if (n === 0) return 'Aucune suggestion';
    return n === 1 ? '1 suggestion disponible' : `${n} suggestions disponibles`;
  }

  /** Cancels the pending and in-flight autocomplete request; a late answer is then ignored. */
  function cancelAutocomplete() {
    clearTimeout(acTimer);
    acSeq++;
    if (acController) acController.abort();
    acController = null;
  }

  function scheduleAutocomplete(q) {
    cancelAutocomplete();
    if (!q) {
      closeList();
      suggestions = [];
      suggestionsFor = null;
      return;
    }
    acTimer = setTimeout(() => fetchSuggestions(q), AUTOCOMPLETE_DELAY);
  }

  async function fetchSuggestions(q) {
    cancelAutocomplete();
    const seq = acSeq;
    const controller = new AbortController();
    acController = controller;
    const params = new URLSearchParams({ q, limit: String(SUGGESTION_LIMIT) });
    try {
      const data = await fetchJSON(`/autocomplete?${params}`, controller.signal);
      if (seq !== acSeq) return; // stale answer
      acController = null;
      if (document.activeElement !== els.q || els.q.value.trim() !== q) return;
      showSuggestions(Array.isArray(data.suggestions) ? data.suggestions : [], q);
    } catch (err) {
      if (seq !== acSeq || err.name === 'AbortError') return;
      acController = null;
      closeList(); // suggestions are a convenience: fail quietly
    }
  }

  /** Renders the listbox options and opens it (or closes it when empty). */
  function showSuggestions(list, q) {
    suggestions = list;
    suggestionsFor = q;
    const fragment = document.createDocumentFragment();
    list.forEach((s, i) => {
      const kind = s.kind in KIND_LABELS ? s.kind : 'term';
      const li = el('li', 'suggestion');
      li.id = `suggestion-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.kind = kind;
      li.dataset.index = String(i);
      const text = el('span', 'suggestion-text');
      setHighlight(text, s.highlight, s.text);
      const badge = el('span', `suggestion-kind kind-${kind}`, KIND_LABELS[kind]);
      li.append(text, el('span', 'visually-hidden', ', '), badge);
      fragment.appendChild(li);
    });
    els.suggestions.replaceChildren(fragment);
    activeIndex = -1;
    els.q.removeAttribute('aria-activedescendant');
    if (list.length === 0) {
      closeList();
      announce('Aucune suggestion.');
      return;
    }
    openList();
    announce(`${suggestionCountText(list.length)}. Utilisez les flèches haut et bas pour les parcourir.`);
  }

  function openList() {
    els.suggestions.hidden = false;
    els.q.setAttribute('aria-expanded', 'true');
  }

  function closeList() {
    setActive(-1);
    els.suggestions.hidden = true;
    els.q.setAttribute('aria-expanded', 'false');
  }

  /** Makes option i active (-1: none): aria-selected, aria-activedescendant, scroll. */
  function setActive(i) {
    const options = els.suggestions.querySelectorAll('[role="option"]');
    activeIndex = i >= 0 && i < options.length ? i : -1;
    options.forEach((option, index) => {
      option.setAttribute('aria-selected', index === activeIndex ? 'true' : 'false');
    });
    if (activeIndex >= 0) {
      const option = options[activeIndex];
      els.q.setAttribute('aria-activedescendant', option.id);
      if (typeof option.scrollIntoView === 'function') option.scrollIntoView({ block: 'nearest' });
    } else {
      els.q.removeAttribute('aria-activedescendant');
    }
  }

  /** ArrowDown/ArrowUp: moves the active option, wrapping; opens the list if it was closed. */
  function moveActive(delta) {
    const q = els.q.value.trim();
    if (!isListOpen()) {
      if (suggestions.length > 0 && suggestionsFor === q) openList();
      else {
        if (q) fetchSuggestions(q);
        return;
      }
    }
    const n = suggestions.length;
    if (n === 0) return;
    const next = activeIndex < 0 ? (delta > 0 ? 0 : n - 1) : (activeIndex + delta + n) % n;
    setActive(next);
  }

  /** The address of an API's page, server-rendered. */
  function apiPage(slug) {
    return `/les-api/${encodeURIComponent(slug)}`;
  }

  /** Applies a picked suggestion: an API opens its page, a producer or a theme filters. */
  function pickSuggestion(s) {
    if (!s) return;
    cancelAutocomplete();
    closeList();
    if (s.kind === 'api' && s.slug) {
      window.location.assign(apiPage(s.slug));
      return;
    }
    if (s.kind === 'theme') {
      // A theme becomes a ticked facet, and the text query is emptied.
      if (!state.theme.includes(s.text)) state.theme.push(s.text);
      state.q = '';
    } else if (s.kind === 'producer' && s.slug) {
      // So does a producer, by its slug.
      if (!state.producer.includes(s.slug)) state.producer.push(s.slug);
      state.q = '';
    } else {
      // A term becomes the query.
      state.q = s.text || '';
    }
    els.q.value = state.q;
    state.page = 1;
    syncControls();
    runSearch({ history: 'push' });
  }

  function onQueryKeydown(event) {
    if (event.isComposing || (event.altKey && event.key !== 'ArrowDown')) return;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        moveActive(1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        moveActive(-1);
        break;
      case 'Enter':
        // With an active option, pick it; otherwise the form's submit runs the typed search.
        if (isListOpen() && activeIndex >= 0) {
          event.preventDefault();
          pickSuggestion(suggestions[activeIndex]);
        }
        break;
      case 'Escape':
        if (isListOpen()) {
          event.preventDefault();
          cancelAutocomplete();
          closeList();
        } else if (els.q.value !== '') {
          // Second Escape: clear the input, which brings back the whole catalogue.
          event.preventDefault();
          els.q.value = '';
          onQueryInput();
        }
        break;
      case 'Tab':
        cancelAutocomplete();
        closeList();
        break;
      default:
        break;
    }
  }

  /** Typing: debounced suggestions and debounced search-as-you-type. */
  function onQueryInput() {
    state.q = els.q.value;
    state.page = 1;
    scheduleAutocomplete(els.q.value.trim());
    scheduleSearch();
  }

  // ---------------------------------------------------------------------------
  // 6. Event wiring and start-up
  // ---------------------------------------------------------------------------

  function clearAllFilters() {
    for (const name of FACETS) state[name] = [];
    state.page = 1;
    syncControls();
    runSearch({ history: 'push' });
  }

  function init() {
    els.q.addEventListener('input', onQueryInput);
    els.q.addEventListener('keydown', onQueryKeydown);
    els.q.addEventListener('blur', () => {
      cancelAutocomplete();
      closeList();
    });

    // Keep focus in the input while clicking an option, then pick it.
    els.suggestions.addEventListener('mousedown', (event) => event.preventDefault());
    els.suggestions.addEventListener('click', (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) pickSuggestion(suggestions[Number(option.dataset.index)]);
    });

    // Enter without an active option, or the « Rechercher » button.
    els.form.addEventListener('submit', (event) => {
      event.preventDefault();
      cancelAutocomplete();
      closeList();
      state.q = els.q.value.trim();
      state.page = 1;
      runSearch({ history: 'push' });
    });

    // Facets: ticking or unticking re-runs the search at once, from page 1.
    els.facets.addEventListener('change', (event) => {
      const box = event.target;
      if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox' || !FACETS.includes(box.name)) return;
      const values = state[box.name].filter((v) => v !== box.value);
      if (box.checked) values.push(box.value);
      state[box.name] = values;
      state.q = els.q.value;
      state.page = 1;
      runSearch({ history: 'push' });
    });

    els.producerToggle.addEventListener('click', () => {
      showAllProducers = !showAllProducers;
      if (lastFacets) renderFacet('producer', Array.isArray(lastFacets.producer) ? lastFacets.producer : []);
    });

    els.clearFilters.addEventListener('click', clearAllFilters);

    els.results.addEventListener('click', onResultOpened);
    els.results.addEventListener('auxclick', onResultOpened);

    els.facetsToggle.addEventListener('click', () => {
      els.facetsPanel.classList.toggle('is-open');
      updateFacetsToggle();
    });

    els.sort.addEventListener('change', () => {
      state.sort = SORTS.includes(els.sort.value) ? els.sort.value : DEFAULT_SORT;
      state.q = els.q.value;
      state.page = 1;
      runSearch({ history: 'push' });
    });

    els.prev.addEventListener('click', () => {
      if (state.page <= 1) return;
      state.page -= 1;
      runSearch({ history: 'push', focusResults: true });
    });
    els.next.addEventListener('click', () => {
      state.page = Math.min(MAX_PAGE, state.page + 1);
      runSearch({ history: 'push', focusResults: true });
    });

    // Spelling suggestion and « retirer tous les filtres » inside the no-results box.
    els.noResults.addEventListener('click', (event) => {
      const link = event.target.closest('#did-you-mean');
      if (link) {
        event.preventDefault();
        state.q = link.textContent;
        state.page = 1;
        syncControls();
        runSearch({ history: 'push' });
        return;
      }
      if (event.target.closest('[data-action="clear-filters"]')) clearAllFilters();
    });

    // Back/forward: restore the state from the URL, without adding history.
    window.addEventListener('popstate', () => {
      cancelAutocomplete();
      closeList();
      state = stateFromQuery(window.location.search);
      els.q.value = state.q;
      syncControls();
      runSearch({ history: 'none' });
    });

    // Start-up: the URL (shared link or reload) gives the search to show; empty means browse.
    state = stateFromQuery(window.location.search);
    els.q.value = state.q;
    syncControls();
    runSearch({ history: 'none' });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
