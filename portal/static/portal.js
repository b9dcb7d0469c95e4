// Progressive enhancements: the portal works without them.
"use strict";

document.documentElement.classList.remove("no-js");

function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node makes screen readers announce the same message twice in a row.
  window.setTimeout(() => { region.textContent = text; }, 50);
}

function copyLinkButtons(article) {
  const label = article.dataset.copyLabel;
  const targets = article.querySelectorAll(".answer h2[id], .answer h3[id], .answer li[id^='step-']");
  for (const target of targets) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-link";
    button.dataset.anchor = target.id;
    button.setAttribute("aria-label", `${label}: ${target.textContent.trim().slice(0, 80)}`);
    button.textContent = "#";
    button.lang = document.documentElement.lang;
    target.prepend(button);
  }
  article.addEventListener("click", async (event) => {
    const button = event.target.closest("button.copy-link");
    if (!button) return;
    const url = new URL(window.location.href);
    url.search = "";
    url.hash = button.dataset.anchor;
    history.replaceState(null, "", url.hash);
    try {
      await navigator.clipboard.writeText(url.href);
      announce(article.dataset.copied);
    } catch {
      window.prompt(article.dataset.copyFailed, url.href);
    }
  });
}

function printLinks() {
  for (const link of document.querySelectorAll("[data-print]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      window.print();
    });
  }
  for (const button of document.querySelectorAll("[data-print-now]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
}

// The comment box after "No": characters left, read out once the reader pauses (announcing
// each key press would drown what they type). The server checks the length all the same.
function characterCounters() {
  for (const field of document.querySelectorAll("textarea[data-counter][maxlength]")) {
    const max = Number(field.getAttribute("maxlength"));
    const counter = document.createElement("p");
    counter.className = "character-count";
    counter.id = `${field.id}-count`;
    field.after(counter);
    const show = () => {
      const left = Math.max(max - field.value.length, 0);
      counter.textContent = field.dataset.counter.replace("%s", String(left));
    };
    let timer = null;
    field.addEventListener("input", () => {
      show();
      window.clearTimeout(timer);
      timer = window.setTimeout(() => announce(counter.textContent), 1000);
    });
    show();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  characterCounters();
  const article = document.querySelector("main article.faq-article[data-copy-label]");
  if (article) copyLinkButtons(article);
  if (article && article.dataset.beacon && navigator.sendBeacon) navigator.sendBeacon(article.dataset.beacon);
  printLinks();
});

// Renewing the Amazon token as the article describes it: step 2 asks, step 3 opens Seller
// Central in a pop-up, and this page learns the result without a reload.
const POPUP_NAME = "amazon-authorization";
const MESSAGE_TYPE = "amazon-authorization";

function setField(form, name, value) {
  let field = form.querySelector(`input[name="${name}"]`);
  if (!field) {
    field = document.createElement("input");
    field.type = "hidden";
    field.name = name;
    form.append(field);
  }
  field.value = value;
}

function markSteps(current, completed) {
  for (const step of document.querySelectorAll("li.step[id^='step-']")) {
    const number = Number(step.id.slice(5));
    // The server decides which steps are done (data-completed); this only shows it.
    step.classList.toggle("is-done", completed.includes(number));
    step.classList.toggle("is-current", number === current);
    if (number === current) step.setAttribute("aria-current", "step");
    else step.removeAttribute("aria-current");
  }
}

function markStepsFrom(region) {
  const current = region.dataset.currentStep ? Number(region.dataset.currentStep) : null;
  const completed = (region.dataset.completed || "").split(",").filter(Boolean).map(Number);
  markSteps(current, completed);
}

async function refreshLiveRegions(status) {
  const dialog = document.getElementById("renew-dialog");
  for (const region of document.querySelectorAll("[data-live-region]")) {
    const response = await fetch(region.dataset.liveUrl, { credentials: "same-origin" });
    if (!response.ok) continue;
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const fresh = template.content.firstElementChild;
    region.replaceWith(fresh);
    markStepsFrom(fresh);
    const heading = fresh.querySelector("h2[tabindex='-1']");
    if (heading) heading.focus();
  }
  if (dialog && status === "success") announce(dialog.dataset.renewed);
  if (dialog && status === "failure") announce(dialog.dataset.failed);
}

function watchPopup(popup) {
  const timer = window.setInterval(() => {
    if (!popup.closed) return;
    window.clearInterval(timer);
    refreshLiveRegions(null);
  }, 800);
}

function goToSellerCentral(form, dialog) {
  setField(form, "confirmed", "1");
  const popup = window.open("about:blank", POPUP_NAME, "popup,width=780,height=820");
  if (popup) {
    setField(form, "popup", "1");
    form.target = POPUP_NAME;
    markSteps(3, [1, 2]);
    announce(dialog.dataset.opened);
    form.submit();
    watchPopup(popup);
    return;
  }
  // Blocked: say so, then carry on in this window.
  setField(form, "popup", "0");
  form.removeAttribute("target");
  const notice = document.getElementById("renew-notice");
  notice.textContent = dialog.dataset.blocked;
  notice.hidden = false;
  form.before(notice);
  announce(dialog.dataset.blocked);
  window.setTimeout(() => form.submit(), 1500);
}

function renewals() {
  const dialog = document.getElementById("renew-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-renew]");
    if (!form) return;
    event.preventDefault();
    const trigger = event.submitter;
    markSteps(2, [1]);
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "ok") {
        goToSellerCentral(form, dialog);
      } else {
        for (const region of document.querySelectorAll("[data-live-region]")) markStepsFrom(region);
        if (trigger) trigger.focus();
      }
    }, { once: true });
  });
  window.addEventListener("message", (event) => {
    if (event.origin !== window.location.origin) return;
    if (!event.data || event.data.type !== MESSAGE_TYPE) return;
    refreshLiveRegions(event.data.status);
  });
  for (const region of document.querySelectorAll("[data-live-region]")) markStepsFrom(region);
}

// In the pop-up: tell the page that opened it (same origin only), then close on success.
function popupResult() {
  const result = document.body.dataset.popupResult;
  if (!result) return;
  const closeButton = document.querySelector("[data-close-window]");
  if (closeButton) {
    closeButton.hidden = false;
    closeButton.addEventListener("click", () => window.close());
  }
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage({ type: MESSAGE_TYPE, status: result }, window.location.origin);
    if (result === "success") window.setTimeout(() => window.close(), 1500);
  }
}

// While the connector has not run since a renewal, ask now and then whether it has: the part
// updates itself, without moving the reader's focus, and says that synchronisation resumed.
const WAITING = "[data-sync-state='waiting']";

function watchSynchronisation() {
  const first = document.querySelector("[data-sync-poll]");
  if (!first) return;
  const every = Number(first.dataset.syncPoll) * 1000;
  const poll = async () => {
    const regions = [...document.querySelectorAll("[data-live-region]")]
      .filter((region) => region.querySelector(WAITING));
    if (!regions.length) return;
    for (const region of document.hidden ? [] : regions) {
      const response = await fetch(region.dataset.liveUrl, { credentials: "same-origin" });
      if (!response.ok) continue;
      const template = document.createElement("template");
      template.innerHTML = (await response.text()).trim();
      const fresh = template.content.firstElementChild;
      if (fresh.querySelectorAll(WAITING).length >= region.querySelectorAll(WAITING).length) continue;
      const resumed = region.querySelector("[data-sync-poll]").dataset.resumed;
      region.replaceWith(fresh);
      markStepsFrom(fresh);
      announce(resumed);
    }
    window.setTimeout(poll, every);
  };
  window.setTimeout(poll, every);
}

function supportTools() {
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copyTarget);
      try {
        await navigator.clipboard.writeText(field.value);
        announce(button.dataset.copied);
      } catch {
        field.select();
      }
    });
  }
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
}

document.addEventListener("DOMContentLoaded", () => {
  supportTools();
  renewals();
  popupResult();
  watchSynchronisation();
});
