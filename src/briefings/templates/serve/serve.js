// Keeps a page of `briefings serve` up to date from its server-sent events: the build's
// progress on a view's page (reloading it when the build ends), and on the preview page a
// reload of the preview whenever a new one is published. It writes no markup: it shows
// the template's part for the current state and fills in the [data-field] texts.
"use strict";
(() => {
  const status = document.getElementById("bs-status");
  if (!status || !window.EventSource) {
    return;
  }
  const show = (data) => {
    for (const part of status.querySelectorAll("[data-when]")) {
      part.hidden = part.dataset.when !== data.state;
    }
    for (const field of status.querySelectorAll("[data-field]")) {
      if (field.dataset.field in data) {
        field.textContent = String(data[field.dataset.field]);
      }
    }
  };
  const reloadPreview = (data) => {
    const frame = document.getElementById("bs-briefing");
    const shown = frame ? new URL(frame.src).pathname : "";
    if (String(data.builds) === status.dataset.builds) {
      return;
    }
    status.dataset.builds = String(data.builds);
    if (!frame || shown !== data.href) {
      window.location.reload();
    } else {
      frame.contentWindow.location.reload();
    }
  };
  const events = new EventSource(status.dataset.events);
  events.onmessage = (message) => {
    const data = JSON.parse(message.data);
    show(data);
    if (status.dataset.kind === "preview") {
      reloadPreview(data);
    } else if (data.final) {
      events.close();
      if (data.state !== status.dataset.state) {
        window.location.reload();
      }
    }
  };
})();
