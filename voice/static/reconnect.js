// reconnect.js — a WHIP (RFC 9725) voice call that survives the network.
//
// Copy this file into your own front end; it has no dependencies. It dials
// a WHIP endpoint with trickle ICE and keeps the call up:
//
//   - while the connection is `disconnected` it restarts ICE (a PATCH with
//     `If-Match: "*"`, RFC 9725 §4.3.2) with backoff: after restartDelaysMs[0],
//     then [1], ... up to maxRestarts restarts per session;
//   - when the connection `failed`, the restarts ran out, or the session
//     vanished (a PATCH answered 404), it redials: a new POST to the
//     endpoint carrying `Voicewatch-Redial-Of: <old session id>`, so the
//     server links the new session to the old one; up to maxRedials times;
//   - when the server ended the session on purpose (tell it with
//     serverEnded(reason), e.g. from voicewatch's event WebSocket), it stops
//     and says why; a server that ended it for network reasons
//     (redialReasons) gets a redial instead.
//
// Usage:
//
//   import { WhipCall } from "/static/reconnect.js";
//   const call = new WhipCall({ endpoint: "/whip", token, stream, iceServers });
//   call.addEventListener("state", (e) => show(e.detail.text));   // "reconnecting 2/3"
//   call.addEventListener("track", (e) => audio.srcObject = e.detail.streams[0]);
//   await call.start();
//   ...
//   await call.hangup();
//
// Events (CustomEvent, fields in detail):
//   state          {state, text, attempt, max, reason}   state is one of
//                  connecting, connected, reconnecting, redialing, ended
//   session        {id, location, redialOf}               a new WHIP session
//   peerconnection {pc}                                   a new RTCPeerConnection
//   track          the RTCTrackEvent's {track, streams}
//   iceservererror {url, code, text}                      a STUN/TURN server failed for
//                  this browser (icecandidateerror: code 701 is no answer or no
//                  TCP/TLS connection, else the server's STUN error code); url
//                  never carries credentials. The browser's reports about its own
//                  sockets are not server failures and go to log instead.
//   log            {line, error}                          for a debug console
//
// Timing: with the defaults a media outage of up to ~10 s is ridden out by
// ICE restarts (the last one is at most restartDelaysMs' last value old when
// the path comes back, so audio resumes within about one connectivity check
// of it); a longer one ends in a redial.

/** Default options; every one can be overridden in the constructor. */
export const defaults = Object.freeze({
  maxRestarts: 3, // ICE restarts per session (voicewatch's ice.max_restarts default)
  restartDelaysMs: [1000, 2000, 4000], // wait before restart 1, 2, 3 while not connected
  maxRedials: 2, // new sessions per call
  redialDelaysMs: [500, 2000],
  giveUpAfterMs: 15000, // not connected this long after the last restart: redial
  redialReasons: ["ice_failed", "shutdown", "connect_timeout", "restarts_exhausted"],
});

const SDPFRAG = "application/trickle-ice-sdpfrag";

// ownSocketError tells Chromium's icecandidateerror reports about its own
// sockets from a server's failure: it reports 701 for every transaction
// still pending when it closes a socket (pruned after connecting, or the
// call ended), and for every local interface that cannot reach a server
// another interface reaches. Neither says anything about the server.
function ownSocketError(e) {
  return /socket was closed|not associated with the desired network interface/i.test(e.errorText || "");
}

export class WhipCall extends EventTarget {
  /**
   * @param {object} o
   * @param {string} o.endpoint  WHIP endpoint URL, e.g. "/whip"
   * @param {MediaStream} o.stream  the microphone stream to send
   * @param {string} [o.token]  bearer token
   * @param {RTCIceServer[]} [o.iceServers]
   * @param {RTCIceTransportPolicy} [o.iceTransportPolicy]
   */
  constructor(o) {
    super();
    this.opts = { ...defaults, ...o };
    this.state = "new";
    this.counts = { restarts: 0, redials: 0 };
    this.sessionId = "";
    this.location = "";
    this.pc = null;
    this._etag = "";
    this._gen = ""; // local ufrag of the ICE generation _etag belongs to
    this._answer = "";
    this._restartsHere = 0; // restarts in the current session
    this._timer = 0;
    this._queued = [];
    this._ended = false;
  }

  /** Dials; resolves when the answer is applied (not yet connected). */
  async start() {
    await this._dial("");
  }

  /**
   * Restarts ICE now, connected or not: call it on a network change (the
   * window's "online" event, a new Wi-Fi). Counts as one of maxRestarts.
   */
  async restartIce() {
    await this._restart(true);
  }

  /** Hangs up (DELETE) and stops reconnecting. */
  async hangup() {
    const loc = this.location;
    this._finish("ended", "hung up", "hangup");
    if (loc) await fetch(loc, { method: "DELETE", headers: this._headers() }).catch(() => {});
  }

  /**
   * Tells the call that the server ended its session (voicewatch streams
   * session.ended with a reason on /whip/{id}/events). Network reasons
   * redial; anything else ends the call showing the reason.
   * @param {string} reason  the server's reason
   * @param {string} [sessionId]  the session it concerns (ignored if not current)
   */
  serverEnded(reason, sessionId) {
    // "redialed" is the server ending a session this call replaced.
    if (this._ended || reason === "redialed" || (sessionId && sessionId !== this.sessionId)) return;
    if (this.opts.redialReasons.includes(reason)) {
      this._redial("the server ended the session: " + reason);
      return;
    }
    this._finish("ended", "call ended by the server: " + reason, reason);
  }

  // --- internals ---

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  _log(line, error) {
    this._emit("log", { line, error: !!error });
  }

  _setState(state, text, extra = {}) {
    this.state = state;
    this._emit("state", { state, text: text || state, ...extra });
  }

  _finish(state, text, reason) {
    if (this._ended) return;
    this._ended = true;
    this._clearTimer();
    if (this.pc) this.pc.close();
    this._setState(state, text, { reason });
  }

  _headers(type) {
    const h = {};
    if (type) h["Content-Type"] = type;
    if (this.opts.token) h["Authorization"] = "Bearer " + this.opts.token;
    return h;
  }

  async _dial(redialOf) {
    this._clearTimer();
    if (this.pc) this.pc.close();
    if (!redialOf) this._setState("connecting", "connecting");
    const pc = new RTCPeerConnection({
      iceServers: this.opts.iceServers || [],
      iceTransportPolicy: this.opts.iceTransportPolicy || "all",
    });
    this.pc = pc;
    this.location = "";
    this._etag = "";
    this._queued = [];
    this._restartsHere = 0;
    this._emit("peerconnection", { pc });
    for (const t of this.opts.stream.getTracks()) pc.addTrack(t, this.opts.stream);
    pc.addEventListener("track", (e) => this._emit("track", { track: e.track, streams: e.streams }));
    pc.addEventListener("icecandidateerror", (e) => {
      if (ownSocketError(e)) {
        this._log(`ICE: ${e.url}: ${e.errorCode} ${e.errorText} (this browser's own socket, not a server failure)`);
        return;
      }
      this._emit("iceservererror", { url: e.url || "", code: e.errorCode, text: e.errorText || "" });
    });
    pc.addEventListener("icecandidate", (e) => {
      if (pc === this.pc) this._trickle(e.candidate);
    });
    pc.addEventListener("connectionstatechange", () => {
      if (pc === this.pc) this._onState(pc.connectionState);
    });
    try {
      await pc.setLocalDescription(await pc.createOffer());
      const h = this._headers("application/sdp");
      if (redialOf) h["Voicewatch-Redial-Of"] = redialOf;
      const resp = await fetch(this.opts.endpoint, { method: "POST", headers: h, body: pc.localDescription.sdp });
      if (resp.status !== 201) {
        const p = await resp.json().catch(() => ({}));
        throw new Error(`POST ${this.opts.endpoint}: ${resp.status} ${p.detail || resp.statusText}`);
      }
      if (this._ended || pc !== this.pc) return;
      this.location = new URL(resp.headers.get("Location"), new URL(this.opts.endpoint, location.href)).href;
      this.sessionId = this.location.split("/").pop();
      this._etag = resp.headers.get("ETag") || "";
      this._gen = ufragOf(pc.localDescription.sdp);
      this._answer = await resp.text();
      await pc.setRemoteDescription({ type: "answer", sdp: this._answer });
      this._emit("session", { id: this.sessionId, location: this.location, redialOf });
      const q = this._queued;
      this._queued = [];
      for (const c of q) this._trickle(c);
    } catch (err) {
      this._log(String(err.message || err), true);
      if (!redialOf) {
        this._finish("ended", "call failed: " + (err.message || err), "error");
        throw err;
      }
      this._redial("redial failed: " + (err.message || err), redialOf);
    }
  }

  // _trickle PATCHes one candidate at once (null: end of candidates). It
  // names the ETag only when it knows the one of the candidate's
  // generation; candidates gathered for an ICE restart go before the
  // restart's answer (and ETag) is back, without If-Match.
  _trickle(c) {
    if (!this.location) {
      this._queued.push(c);
      return;
    }
    const sdp = this.pc.localDescription.sdp;
    const ufrag = (c && c.usernameFragment) || ufragOf(sdp);
    const lines = ["a=ice-ufrag:" + ufrag, "a=ice-pwd:" + pwdOf(sdp), "m=audio 9 RTP/AVP 0", "a=mid:" + midOf(sdp),
      c ? "a=" + c.candidate : "a=end-of-candidates"];
    const h = this._headers(SDPFRAG);
    if (this._etag && ufrag === this._gen) h["If-Match"] = this._etag;
    const loc = this.location;
    fetch(loc, { method: "PATCH", headers: h, body: lines.join("\r\n") + "\r\n" })
      .then((resp) => {
        if (resp.status === 404 && loc === this.location) this._redial("the session is gone (PATCH 404)");
        else if (resp.status >= 400) this._log(`trickle PATCH: ${resp.status}`, true);
      })
      .catch((err) => this._log("trickle PATCH failed: " + err, true));
  }

  _onState(st) {
    if (this._ended) return;
    this._log("connection " + st);
    switch (st) {
      case "connected":
        this._clearTimer();
        this._setState("connected", "connected");
        break;
      case "disconnected":
        if (!this._timer) this._scheduleRestart();
        break;
      case "failed":
        this._redial("ICE failed");
        break;
    }
  }

  _clearTimer() {
    clearTimeout(this._timer);
    this._timer = 0;
  }

  _after(ms, f) {
    this._clearTimer();
    this._timer = setTimeout(() => {
      this._timer = 0;
      f();
    }, ms);
  }

  _scheduleRestart() {
    const n = this._restartsHere;
    if (n >= this.opts.maxRestarts) {
      this._after(this.opts.giveUpAfterMs, () => this._redial("not connected after " + n + " ICE restarts"));
      return;
    }
    const delays = this.opts.restartDelaysMs;
    const wait = delays[Math.min(n, delays.length - 1)];
    this._after(wait, () => this._restart().catch((e) => this._log("ICE restart: " + e, true)));
  }

  async _restart(now) {
    const pc = this.pc;
    if (this._ended || !pc || !this.location || (!now && pc.connectionState === "connected")) return;
    if (this._restartsHere >= this.opts.maxRestarts) {
      this._log("no ICE restart left in this session", true);
      return;
    }
    this._restartsHere++;
    this.counts.restarts++;
    this._setState("reconnecting", `reconnecting ${this._restartsHere}/${this.opts.maxRestarts}`,
      { attempt: this._restartsHere, max: this.opts.maxRestarts });
    // Schedule the next attempt first: this one may hang on a dead path.
    if (!now) this._scheduleRestart();
    await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
    const sdp = pc.localDescription.sdp;
    const body = ["a=ice-ufrag:" + ufragOf(sdp), "a=ice-pwd:" + pwdOf(sdp), "m=audio 9 RTP/AVP 0", "a=mid:" + midOf(sdp)].join("\r\n") + "\r\n";
    const h = this._headers(SDPFRAG);
    h["If-Match"] = "*";
    const resp = await fetch(this.location, { method: "PATCH", headers: h, body });
    if (pc !== this.pc || this._ended) return;
    if (resp.status === 404 || resp.status === 429) {
      this._redial(`ICE restart refused (${resp.status})`);
      return;
    }
    if (resp.status !== 200) throw new Error("PATCH " + resp.status);
    const frag = await resp.text();
    this._etag = resp.headers.get("ETag") || "";
    this._gen = ufragOf(sdp);
    // The server's new credentials and candidates replace the old ones in
    // the last answer (RFC 9725 §4.3.2).
    let ans = this._answer.replace(/a=candidate:.*\r\n/g, "").replace(/a=end-of-candidates\r\n/g, "");
    ans = ans.replace(/a=ice-ufrag:.*/g, "a=ice-ufrag:" + ufragOf(frag)).replace(/a=ice-pwd:.*/g, "a=ice-pwd:" + pwdOf(frag));
    ans = ans.replace(/(a=ice-pwd:.*\r\n)/, "$1" + (frag.match(/a=candidate:.*\r\n/g) || []).join(""));
    this._answer = ans;
    await pc.setRemoteDescription({ type: "answer", sdp: ans });
    // A restart of a working connection does not leave "connected".
    if (pc.connectionState === "connected") this._onState("connected");
  }

  _redial(why, redialOf) {
    if (this._ended) return;
    this._clearTimer();
    const old = redialOf || this.sessionId;
    if (this.counts.redials >= this.opts.maxRedials) {
      this._finish("ended", "call lost: " + why, "gave_up");
      return;
    }
    this._log(why + "; redialing", true);
    const delays = this.opts.redialDelaysMs;
    const wait = delays[Math.min(this.counts.redials, delays.length - 1)];
    this.counts.redials++;
    this._setState("redialing", `redialing ${this.counts.redials}/${this.opts.maxRedials}`,
      { attempt: this.counts.redials, max: this.opts.maxRedials });
    if (this.pc) this.pc.close();
    this.location = "";
    this.sessionId = ""; // the old session's late events are no longer this call's
    this._after(wait, () => this._dial(old));
  }
}

function ufragOf(sdp) {
  return (sdp.match(/a=ice-ufrag:(.*)/) || [, ""])[1].trim();
}
function pwdOf(sdp) {
  return (sdp.match(/a=ice-pwd:(.*)/) || [, ""])[1].trim();
}
function midOf(sdp) {
  return (sdp.match(/a=mid:(.*)/) || [, "0"])[1].trim();
}
