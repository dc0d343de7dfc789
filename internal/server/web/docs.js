// The forms of the API documentation page (/docs): each sends its operation's request to the
// service that served the page, with fetch, and shows the answer's status and body (JSON
// indented). An admin token typed into a form is sent in the Authorization header and kept
// nowhere: not in the URL, not in storage.
"use strict";

(function () {
  // Longest body shown; the rest is cut, so that a large answer does not freeze the page.
  const MAX_SHOWN = 200000;

  // requestURL builds the URL of a form's request: path parameters put in the path, query
  // parameters in the query (a list input sent as the parameter repeated), empty ones left out.
  function requestURL(form) {
    let path = form.dataset.path;
    const query = new URLSearchParams();
    for (const input of form.querySelectorAll("[data-in]")) {
      const value = input.value.trim();
      if (value === "") continue;
      if (input.dataset.in === "path") {
        path = path.replace("{" + input.name + "}", encodeURIComponent(value));
      } else if (input.hasAttribute("data-list")) {
        for (const item of value.split(",")) {
          if (item.trim() !== "") query.append(input.name, item.trim());
        }
      } else {
        query.append(input.name, value);
      }
    }
    // Relative to the page: the service that served it, behind whatever path prefix.
    const url = new URL("./" + path, document.baseURI);
    url.search = query.toString();
    return url;
  }

  // shown is the body as the page shows it: JSON indented, cut past MAX_SHOWN characters.
  function shown(text, type) {
    if (type.includes("json")) {
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch (e) {
        // Not JSON after all: shown as it came.
      }
    }
    if (text === "") return "(corps vide)";
    if (text.length > MAX_SHOWN) {
      return text.slice(0, MAX_SHOWN) + "\n… (réponse coupée à " + MAX_SHOWN + " caractères)";
    }
    return text;
  }

  async function send(form) {
    const status = form.querySelector(".status");
    const answer = form.querySelector(".answer");
    const method = form.dataset.method;
    const url = requestURL(form);
    const headers = { Accept: "application/json, */*;q=0.5" };
    const token = form.querySelector("[data-token]");
    if (token && token.value.trim() !== "") {
      headers.Authorization = "Bearer " + token.value.trim();
    }
    status.textContent = "Envoi de " + method + " " + url.pathname + url.search + "…";
    const started = performance.now();
    let response;
    let text;
    try {
      response = await fetch(url, { method: method, headers: headers, cache: "no-store" });
      text = await response.text();
    } catch (err) {
      status.textContent = "La requête n’a pas abouti : " + err.message;
      answer.hidden = true;
      return;
    }
    const ms = Math.round(performance.now() - started);
    const type = response.headers.get("Content-Type") || "";
    status.textContent = "Réponse " + response.status + (response.statusText ? " " + response.statusText : "") +
      " en " + ms + " ms" + (type ? ", " + type : "");
    form.querySelector(".sent").textContent = method + " " + url.href;
    form.querySelector(".body").textContent = shown(text, type);
    answer.hidden = false;
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!form.classList.contains("try")) return;
    event.preventDefault();
    send(form);
  });
})();
