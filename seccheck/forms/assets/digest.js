/* SM3 (GB/T 32905-2016), HMAC-SM3 and SHA-256 over bytes, for the offline form. Plain, no WebCrypto
   (some browsers withhold it from file:// pages). Cross-checked against Python's hashlib in tests. */
"use strict";
var SeccheckDigest = (function () {
  function rotl(x, n) { n %= 32; return n === 0 ? x >>> 0 : ((x << n) | (x >>> (32 - n))) >>> 0; }

  function pad(bytes) {
    var len = bytes.length, total = ((len + 9 + 63) >> 6) << 6;
    var out = new Uint8Array(total);
    out.set(bytes); out[len] = 0x80;
    var bits = len * 8, hi = Math.floor(bits / 4294967296), lo = bits >>> 0;
    out[total - 8] = hi >>> 24; out[total - 7] = (hi >>> 16) & 255; out[total - 6] = (hi >>> 8) & 255; out[total - 5] = hi & 255;
    out[total - 4] = lo >>> 24; out[total - 3] = (lo >>> 16) & 255; out[total - 2] = (lo >>> 8) & 255; out[total - 1] = lo & 255;
    return out;
  }

  function word(b, i) { return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0; }

  function toBytes(words) {
    var out = new Uint8Array(words.length * 4);
    for (var i = 0; i < words.length; i++) {
      out[4 * i] = words[i] >>> 24; out[4 * i + 1] = (words[i] >>> 16) & 255;
      out[4 * i + 2] = (words[i] >>> 8) & 255; out[4 * i + 3] = words[i] & 255;
    }
    return out;
  }

  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  function sm3(bytes) {
    var m = pad(bytes);
    var V = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];
    var W = new Array(68), W1 = new Array(64);
    for (var off = 0; off < m.length; off += 64) {
      var j;
      for (j = 0; j < 16; j++) W[j] = word(m, off + 4 * j);
      for (j = 16; j < 68; j++) {
        var x = (W[j - 16] ^ W[j - 9] ^ rotl(W[j - 3], 15)) >>> 0;
        W[j] = (x ^ rotl(x, 15) ^ rotl(x, 23) ^ rotl(W[j - 13], 7) ^ W[j - 6]) >>> 0;
      }
      for (j = 0; j < 64; j++) W1[j] = (W[j] ^ W[j + 4]) >>> 0;
      var A = V[0], B = V[1], C = V[2], D = V[3], E = V[4], F = V[5], G = V[6], H = V[7];
      for (j = 0; j < 64; j++) {
        var T = j < 16 ? 0x79cc4519 : 0x7a879d8a;
        var a12 = rotl(A, 12);
        var SS1 = rotl((a12 + E + rotl(T, j)) >>> 0, 7);
        var SS2 = (SS1 ^ a12) >>> 0;
        var ff = j < 16 ? (A ^ B ^ C) : ((A & B) | (A & C) | (B & C));
        var gg = j < 16 ? (E ^ F ^ G) : ((E & F) | (~E & G));
        var TT1 = ((ff >>> 0) + D + SS2 + W1[j]) >>> 0;
        var TT2 = ((gg >>> 0) + H + SS1 + W[j]) >>> 0;
        D = C; C = rotl(B, 9); B = A; A = TT1;
        H = G; G = rotl(F, 19); F = E; E = (TT2 ^ rotl(TT2, 9) ^ rotl(TT2, 17)) >>> 0;
      }
      V = [V[0] ^ A, V[1] ^ B, V[2] ^ C, V[3] ^ D, V[4] ^ E, V[5] ^ F, V[6] ^ G, V[7] ^ H].map(function (v) { return v >>> 0; });
    }
    return toBytes(V);
  }

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];

  function rotr(x, n) { return ((x >>> n) | (x << (32 - n))) >>> 0; }

  function sha256(bytes) {
    var m = pad(bytes);
    var Hs = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var W = new Array(64);
    for (var off = 0; off < m.length; off += 64) {
      var j;
      for (j = 0; j < 16; j++) W[j] = word(m, off + 4 * j);
      for (j = 16; j < 64; j++) {
        var s0 = rotr(W[j - 15], 7) ^ rotr(W[j - 15], 18) ^ (W[j - 15] >>> 3);
        var s1 = rotr(W[j - 2], 17) ^ rotr(W[j - 2], 19) ^ (W[j - 2] >>> 10);
        W[j] = (W[j - 16] + s0 + W[j - 7] + s1) >>> 0;
      }
      var a = Hs[0], b = Hs[1], c = Hs[2], d = Hs[3], e = Hs[4], f = Hs[5], g = Hs[6], h = Hs[7];
      for (j = 0; j < 64; j++) {
        var S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[j] + W[j]) >>> 0;
        var S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) >>> 0;
        h = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      Hs = [Hs[0] + a, Hs[1] + b, Hs[2] + c, Hs[3] + d, Hs[4] + e, Hs[5] + f, Hs[6] + g, Hs[7] + h].map(function (v) { return v >>> 0; });
    }
    return toBytes(Hs);
  }

  function hmac(hash, key, message) {
    if (key.length > 64) key = hash(key);
    var k = new Uint8Array(64); k.set(key);
    var inner = new Uint8Array(64 + message.length), outer = new Uint8Array(64 + 32);
    for (var i = 0; i < 64; i++) { inner[i] = k[i] ^ 0x36; outer[i] = k[i] ^ 0x5c; }
    inner.set(message, 64);
    outer.set(hash(inner), 64);
    return hash(outer);
  }

  function utf8(text) { return new TextEncoder().encode(text); }

  function fromHex(text) {
    var out = new Uint8Array(text.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  return {
    sm3: sm3, sha256: sha256, hex: hex, utf8: utf8, fromHex: fromHex,
    hmacSm3: function (key, message) { return hmac(sm3, key, message); }
  };
})();
