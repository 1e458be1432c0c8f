// voicewatch test page: live call quality from getStats().
//
// Self-contained: it watches every RTCPeerConnection the page creates
// (including ones made by reconnect logic) and, once a second, charts the
// latest call's packet loss, jitter, round-trip time and audio levels in
// the #quality section. The latest sample is also kept in
// window.voicewatchQuality.last for tests and the console.
"use strict";
(() => {
  const HISTORY = 60; // samples (seconds) per chart
  const charts = {
    loss: { unit: "%", max: 10, series: { in: "#b3261e", out: "#e8710a" } },
    jitter: { unit: "ms", max: 30, series: { in: "#1a73e8", out: "#7e57c2" } },
    rtt: { unit: "ms", max: 200, series: { ice: "#137333", rtcp: "#5f6368" } },
    level: { unit: "", max: 1, series: { mic: "#1a73e8", bot: "#137333" } },
  };
  const data = {};
  for (const [name, c] of Object.entries(charts)) {
    data[name] = {};
    for (const s of Object.keys(c.series)) data[name][s] = [];
  }
  let current, timer, prev = {};

  const q = { last: null, samples: 0 };
  window.voicewatchQuality = q;

  // sample reads one getStats() report into plain numbers.
  async function sample(pc) {
    const stats = await pc.getStats();
    const out = {};
    let pair;
    stats.forEach((s) => {
      if (s.type === "transport" && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
    });
    stats.forEach((s) => {
      if (!pair && s.type === "candidate-pair" && s.nominated && s.state === "succeeded") pair = s;
      if (s.kind && s.kind !== "audio") return;
      switch (s.type) {
        case "inbound-rtp": // the bot's audio as this browser receives it
          out.packetsLost = s.packetsLost;
          out.packetsReceived = s.packetsReceived;
          out.jitter = s.jitter; // seconds, RFC 3550
          if (s.audioLevel !== undefined) out.botLevel = s.audioLevel;
          break;
        case "remote-inbound-rtp": // our microphone as the media core reported it (its RTCP receiver reports)
          out.remotePacketsLost = s.packetsLost;
          out.remoteJitter = s.jitter;
          if (s.roundTripTime !== undefined) out.rtcpRtt = s.roundTripTime;
          break;
        case "outbound-rtp":
          out.packetsSent = s.packetsSent;
          break;
        case "media-source":
          if (s.audioLevel !== undefined) out.micLevel = s.audioLevel;
          break;
      }
    });
    if (pair && pair.currentRoundTripTime !== undefined) out.rtt = pair.currentRoundTripTime; // seconds, ICE consent checks
    return out;
  }

  function push(series, v) {
    series.push(v);
    if (series.length > HISTORY) series.shift();
  }

  // lossRatio is the share of packets lost since the previous sample.
  function lossRatio(lost, got, key) {
    if (lost === undefined || got === undefined) return undefined;
    const p = prev[key];
    prev[key] = { lost, got };
    if (!p) return got + lost > 0 ? lost / (got + lost) : 0;
    const dl = lost - p.lost, dg = got - p.got;
    return dl + dg > 0 ? Math.max(0, dl) / (dl + dg) : 0;
  }

  function record(s) {
    const lossIn = lossRatio(s.packetsLost, s.packetsReceived, "in");
    const lossOut = lossRatio(s.remotePacketsLost, s.packetsSent, "out");
    push(data.loss.in, lossIn === undefined ? null : lossIn * 100);
    push(data.loss.out, lossOut === undefined ? null : lossOut * 100);
    push(data.jitter.in, s.jitter === undefined ? null : s.jitter * 1000);
    push(data.jitter.out, s.remoteJitter === undefined ? null : s.remoteJitter * 1000);
    push(data.rtt.ice, s.rtt === undefined ? null : s.rtt * 1000);
    push(data.rtt.rtcp, s.rtcpRtt === undefined ? null : s.rtcpRtt * 1000);
    push(data.level.mic, s.micLevel === undefined ? null : s.micLevel);
    push(data.level.bot, s.botLevel === undefined ? null : s.botLevel);
    q.last = s;
    q.samples++;
  }

  function draw(name) {
    const c = charts[name];
    const canvas = document.getElementById("q-" + name);
    if (!canvas) return;
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height;
    let max = c.max;
    for (const s of Object.values(data[name])) for (const v of s) if (v !== null && v > max) max = v;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = "#d5d9e0";
    ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    const labels = [];
    for (const [key, color] of Object.entries(c.series)) {
      const s = data[name][key];
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let started = false;
      s.forEach((v, i) => {
        if (v === null) { started = false; return; }
        const x = (i / (HISTORY - 1)) * (w - 2) + 1, y = h - 1 - (v / max) * (h - 2);
        if (started) ctx.lineTo(x, y); else ctx.moveTo(x, y);
        started = true;
      });
      ctx.stroke();
      const lastV = s.length ? s[s.length - 1] : null;
      if (lastV !== null) labels.push(`${key} ${lastV.toFixed(name === "level" ? 2 : 1)}${c.unit}`);
    }
    const text = document.getElementById("q-" + name + "-now");
    if (text) text.textContent = labels.join("  ") || "–";
  }

  async function tick() {
    if (!current || current.connectionState === "closed") return;
    try {
      record(await sample(current));
      for (const name of Object.keys(charts)) draw(name);
    } catch (e) {
      // a closing connection: the next one takes over
    }
  }

  // watch starts charting pc (the newest connection wins).
  q.watch = (pc) => {
    current = pc;
    prev = {};
    if (!timer) timer = setInterval(tick, 1000);
  };

  // Track every peer connection the page creates.
  const Native = window.RTCPeerConnection;
  if (Native) {
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        q.watch(this);
      }
    };
  }
})();
