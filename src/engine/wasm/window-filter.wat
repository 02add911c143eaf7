;; The known-value matcher's sampled-window filter (src/engine/wasm-window-filter.ts drives it;
;; src/engine/known-values.ts explains the scheme). Assembled by `npm run build:wasm` into
;; window-filter.wasm.ts; a test checks the two stay in step.
;;
;; Every `stride` bytes a 4- or 8-byte window is folded (| 0x20 per byte), hashed and tested
;; against a bit filter (two bits of one 32-bit word). The rare windows that pass are written
;; out as (position, key, hash) triples for the JS verifier. The arithmetic must equal
;; KnownValueMatcher's exactly: i32.mul is Math.imul, shr_u is >>>, and shl takes its count
;; mod 32 like JS's <<.
;;
;; The filter test is written out in both loops: a call per window was measured to cost.
;;
;; Memory layout (bytes), filled by the driver: the filter words at $filter, the input, and
;; the hit area at $out.
(module
  (import "env" "mem" (memory 1))

  ;; Windows at $p, $p + $stride, ... while the window fits before $end. Returns the hit count.
  (func (export "scan8")
    (param $p i32) (param $end i32) (param $stride i32) (param $filter i32) (param $shift i32)
    (param $out i32) (result i32)
    (local $last i32) (local $key i32) (local $hash i32) (local $mask i32) (local $o i32)
    (local.set $o (local.get $out))
    (local.set $last (i32.sub (local.get $end) (i32.const 8)))
    (block $done
      (loop $next
        (br_if $done (i32.gt_s (local.get $p) (local.get $last)))
        (local.set $key
          (i32.xor
            (i32.mul (i32.or (i32.load (local.get $p)) (i32.const 0x20202020)) (i32.const 0x9e3779b1))
            (i32.or (i32.load offset=4 (local.get $p)) (i32.const 0x20202020))))
        ;; hash = (key ^ key >>> 15) * HASH_MUL; two filter bits of one word
        (local.set $hash
          (i32.mul
            (i32.xor (local.get $key) (i32.shr_u (local.get $key) (i32.const 15)))
            (i32.const 0x85ebca6b)))
        (local.set $mask
          (i32.or
            (i32.shl (i32.const 1) (local.get $hash))
            (i32.shl (i32.const 1) (i32.shr_u (local.get $hash) (i32.const 5)))))
        (if (i32.eq
              (i32.and
                (i32.load
                  (i32.add (local.get $filter)
                    (i32.shl (i32.shr_u (local.get $hash) (local.get $shift)) (i32.const 2))))
                (local.get $mask))
              (local.get $mask))
          (then
            (i32.store (local.get $o) (local.get $p))
            (i32.store offset=4 (local.get $o) (local.get $key))
            (i32.store offset=8 (local.get $o) (local.get $hash))
            (local.set $o (i32.add (local.get $o) (i32.const 12)))))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (br $next)))
    (i32.div_u (i32.sub (local.get $o) (local.get $out)) (i32.const 12)))

  (func (export "scan4")
    (param $p i32) (param $end i32) (param $stride i32) (param $filter i32) (param $shift i32)
    (param $out i32) (result i32)
    (local $last i32) (local $key i32) (local $hash i32) (local $mask i32) (local $o i32)
    (local.set $o (local.get $out))
    (local.set $last (i32.sub (local.get $end) (i32.const 4)))
    (block $done
      (loop $next
        (br_if $done (i32.gt_s (local.get $p) (local.get $last)))
        (local.set $key (i32.or (i32.load (local.get $p)) (i32.const 0x20202020)))
        ;; hash = (key ^ key >>> 15) * HASH_MUL; two filter bits of one word
        (local.set $hash
          (i32.mul
            (i32.xor (local.get $key) (i32.shr_u (local.get $key) (i32.const 15)))
            (i32.const 0x85ebca6b)))
        (local.set $mask
          (i32.or
            (i32.shl (i32.const 1) (local.get $hash))
            (i32.shl (i32.const 1) (i32.shr_u (local.get $hash) (i32.const 5)))))
        (if (i32.eq
              (i32.and
                (i32.load
                  (i32.add (local.get $filter)
                    (i32.shl (i32.shr_u (local.get $hash) (local.get $shift)) (i32.const 2))))
                (local.get $mask))
              (local.get $mask))
          (then
            (i32.store (local.get $o) (local.get $p))
            (i32.store offset=4 (local.get $o) (local.get $key))
            (i32.store offset=8 (local.get $o) (local.get $hash))
            (local.set $o (i32.add (local.get $o) (i32.const 12)))))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (br $next)))
    (i32.div_u (i32.sub (local.get $o) (local.get $out)) (i32.const 12)))
)
