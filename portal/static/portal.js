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

document.addEventListener("DOMContentLoaded", () => {
  const article = document.querySelector("main article.faq-article[data-copy-label]");
  if (article) copyLinkButtons(article);
  printLinks();
});
