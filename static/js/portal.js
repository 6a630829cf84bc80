/*
 * Mon Compte Partenaire — the little JavaScript the portal needs. Everything works without it:
 * forms post normally, the session simply expires on the server.
 *
 * 1. Session warning (RGAA 13.1): two minutes before the idle limit, a dialog offers "Prolonger ma session".
 * 2. Captcha: a button to get a new image on "Mot de passe oublié ?".
 * 3. Forms with errors: focus moves to the error summary so that it is read first.
 * 4. Small screens: the left menu folds behind its "Menu" button (a disclosure: Escape closes it, focus back on
 *    the button). Without the script the menu stays open above the content.
 * 5. "Choisir..." overlays are native popovers (Escape, a click elsewhere); when one closes while the focus is
 *    inside it, focus goes back to its button.
 */
(function () {
  "use strict";

  var MCP = (window.MCP = window.MCP || {});

  /* ---- 1. Session warning ------------------------------------------------------------------------------------ */

  var session = {
    idle: 0,
    warning: 0,
    prolongUrl: "",
    loginUrl: "",
    deadline: 0,
    warnTimer: null,
    expireTimer: null,
    dialog: null,
    button: null,
    form: null,
    returnFocus: null,
    countdown: null,
    countdownTimer: null,
  };

  // "vous serez déconnecté dans 1 min 59 s": the time left, written again every second while the warning shows
  // (the element is not a live region: a screen reader hears the dialog once, not every second).
  function formatRemaining(milliseconds) {
    var seconds = Math.max(0, Math.ceil(milliseconds / 1000));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return (minutes ? minutes + " min " : "") + (minutes && rest < 10 ? "0" : "") + rest + " s";
  }

  function tickCountdown() {
    if (session.countdown) {
      session.countdown.textContent = formatRemaining(session.deadline - Date.now());
    }
  }

  function stopCountdown() {
    window.clearInterval(session.countdownTimer);
    session.countdownTimer = null;
  }

  function clearTimers() {
    window.clearTimeout(session.warnTimer);
    window.clearTimeout(session.expireTimer);
    session.warnTimer = null;
    session.expireTimer = null;
  }

  function expire() {
    clearTimers();
    var separator = session.loginUrl.indexOf("?") === -1 ? "?" : "&";
    window.location.assign(session.loginUrl + separator + "raison=inactivite");
  }

  function showSessionWarning() {
    if (!session.dialog || !session.dialog.hidden) {
      return;
    }
    session.returnFocus = document.activeElement;
    tickCountdown();
    stopCountdown();
    session.countdownTimer = window.setInterval(tickCountdown, 1000);
    session.dialog.hidden = false;
    if (session.button) {
      session.button.focus();
    }
  }

  function hideSessionWarning() {
    if (!session.dialog || session.dialog.hidden) {
      return;
    }
    session.dialog.hidden = true;
    stopCountdown();
    var target = session.returnFocus;
    session.returnFocus = null;
    if (target && target !== document.body && document.contains(target) && typeof target.focus === "function") {
      target.focus();
    }
  }

  // Timers use an absolute deadline: browsers slow down timers in background tabs, so the remaining time is
  // computed again whenever the tab becomes visible.
  function schedule() {
    clearTimers();
    var remaining = session.deadline - Date.now();
    if (remaining <= 0) {
      expire();
      return;
    }
    var untilWarning = remaining - session.warning * 1000;
    if (untilWarning <= 0) {
      showSessionWarning();
    } else {
      session.warnTimer = window.setTimeout(showSessionWarning, untilWarning);
    }
    session.expireTimer = window.setTimeout(expire, remaining);
  }

  function restartSessionTimer() {
    if (!session.idle) {
      return;
    }
    session.deadline = Date.now() + session.idle * 1000;
    hideSessionWarning();
    schedule();
  }

  function csrfToken(form) {
    var input = form && form.querySelector("input[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }

  function prolongSession(event) {
    if (!window.fetch || !window.FormData) {
      return; // old browser: the form posts normally
    }
    event.preventDefault();
    var form = session.form;
    if (session.button) {
      session.button.disabled = true;
    }
    window
      .fetch(session.prolongUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "follow",
        headers: { "X-CSRFToken": csrfToken(form), "HX-Request": "true" },
      })
      .then(function (response) {
        // 204: the server extended the session. Anything else (a redirect to the login page because the
        // session had already ended, an error): the session cannot be trusted any more.
        if (response.status === 204) {
          restartSessionTimer();
        } else {
          expire();
        }
      })
      .catch(function () {
        // Network trouble: fall back to the ordinary form submission.
        form.submit();
      })
      .then(function () {
        if (session.button) {
          session.button.disabled = false;
        }
      });
  }

  function initSession() {
    var body = document.body;
    var idle = parseInt(body.getAttribute("data-session-idle") || "", 10);
    if (!idle || idle <= 0) {
      return;
    }
    session.idle = idle;
    session.warning = Math.min(parseInt(body.getAttribute("data-session-warning") || "0", 10) || 0, idle);
    session.prolongUrl = body.getAttribute("data-session-prolong-url") || "";
    session.loginUrl = body.getAttribute("data-login-url") || "/connexion/";
    session.dialog = document.getElementById("session-warning");
    if (session.dialog) {
      session.form = session.dialog.querySelector("form");
      session.button = session.dialog.querySelector("button");
      session.countdown = document.getElementById("session-countdown");
      if (session.form) {
        session.form.addEventListener("submit", prolongSession);
      }
      session.dialog.addEventListener("keydown", function (event) {
        // Escape closes the warning without extending the session (the timer keeps running).
        if (event.key === "Escape") {
          hideSessionWarning();
        }
      });
    }
    // Any htmx request reaches the server and therefore counts as activity.
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail && event.detail.xhr;
      if (xhr && xhr.status && xhr.status < 400) {
        restartSessionTimer();
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && session.deadline) {
        schedule();
      }
    });
    restartSessionTimer();
  }

  /* ---- 2. Captcha refresh ------------------------------------------------------------------------------------ */

  function announce(container, text) {
    var live = container.querySelector(".js-live");
    if (!live) {
      live = document.createElement("span");
      live.className = "visually-hidden js-live";
      live.setAttribute("role", "status");
      container.appendChild(live);
    }
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = text;
    }, 50);
  }

  function initCaptcha() {
    var buttons = document.querySelectorAll(".js-captcha-refresh");
    Array.prototype.forEach.call(buttons, function (button) {
      var url = button.getAttribute("data-refresh-url");
      if (!url || !window.fetch) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var form = button.closest("form") || document;
        button.disabled = true;
        window
          .fetch(url, {
            credentials: "same-origin",
            headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
          })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("captcha refresh: HTTP " + response.status);
            }
            return response.json();
          })
          .then(function (data) {
            var image = form.querySelector("img.captcha");
            var key = form.querySelector("input[name='captcha_0']");
            var answer = form.querySelector("input[name='captcha_1']");
            if (image) {
              image.src = data.image_url;
            }
            if (key) {
              key.value = data.key;
            }
            if (answer) {
              answer.value = "";
              answer.focus();
            }
            announce(button.parentNode, "Une nouvelle image a été affichée.");
          })
          .catch(function () {
            announce(button.parentNode, "L'image n'a pas pu être renouvelée : rechargez la page.");
          })
          .then(function () {
            button.disabled = false;
          });
      });
    });
  }

  /* ---- 3. Error summary ---------------------------------------------------------------------------------------- */

  function initErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }

  /* ---- 4. The "Menu" button of small screens -------------------------------------------------------------------- */

  function initMenuToggle() {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    var nav = button.parentNode;
    nav.classList.add("sidebar-folding");
    button.hidden = false;

    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    }

    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  /* ---- 5. "Choisir..." overlays ----------------------------------------------------------------------------------- */

  function initActionMenus() {
    var lists = document.querySelectorAll(".actions-list[popover]");
    Array.prototype.forEach.call(lists, function (list) {
      var toggle = document.querySelector("[popovertarget='" + list.id + "']");
      list.addEventListener("toggle", function (event) {
        if (event.newState === "closed" && toggle && list.contains(document.activeElement)) {
          toggle.focus();
        }
      });
      list.addEventListener("keydown", function (event) {
        // Escape inside the list: the browser closes the popover; focus goes back to its button.
        if (event.key === "Escape" && toggle && list.matches(":popover-open")) {
          event.preventDefault();
          list.hidePopover();
          toggle.focus();
        }
      });
    });
  }

  MCP.showSessionWarning = showSessionWarning;
  MCP.hideSessionWarning = hideSessionWarning;
  MCP.restartSessionTimer = restartSessionTimer;
  MCP.sessionDeadline = function () {
    return session.deadline;
  };

  function init() {
    initSession();
    initCaptcha();
    initErrorSummary();
    initMenuToggle();
    initActionMenus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
