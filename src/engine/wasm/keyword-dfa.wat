;; The keyword automaton's scan loop (src/engine/wasm-dfa.ts drives it). Assembled by
;; `npm run build:wasm` into keyword-dfa.wasm.ts; a test checks the two stay in step.
;;
;; Why WebAssembly: the loop is a chain of dependent table loads, and on the 2-vCPU machines
;; hushlog is measured on, V8's typed-array loop with its bounds checks reached ~330 MB/s where
;; this loop reaches ~650 MB/s with two interleaved streams and ~1,150 MB/s with four (scan4,
;; BENCHMARKS.md).
;;
;; Memory layout (bytes), filled by the driver:
;;   [0, 256)      class of each byte, times 4 (a byte offset inside a transition row)
;;   [256, 288)    results: final states of streams 0-3 at [256 + 4i], their hit counts at
;;                 [272 + 4i] (scan1 and scan2 write only what they have)
;;   [$d, ...)     transition table: i32 entries, each the byte offset (from $d) of the next
;;                 state's row; rows at or past $outMin belong to states where a keyword ends.
;;                 scan4 takes $d = 288 as a constant (see there).
;;   hit areas     (end, state) i32 pairs; `end` is the address just past the hit byte
(module
  (import "env" "mem" (memory 1))

  ;; One stream over [$p, $end) from state $s. Returns the hit count; final state at [256].
  (func (export "scan1")
    (param $p i32) (param $end i32) (param $s i32) (param $d i32) (param $outMin i32)
    (param $out i32) (result i32)
    (local $o i32)
    (local.set $o (local.get $out))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s
          (i32.load
            (i32.add (local.get $d)
              (i32.add (local.get $s) (i32.load8_u (i32.load8_u (local.get $p)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (if (i32.ge_u (local.get $s) (local.get $outMin))
          (then
            (i32.store (local.get $o) (local.get $p))
            (i32.store offset=4 (local.get $o) (local.get $s))
            (local.set $o (i32.add (local.get $o) (i32.const 8)))))
        (br $next)))
    (i32.store (i32.const 256) (local.get $s))
    (i32.shr_u (i32.sub (local.get $o) (local.get $out)) (i32.const 3)))

  ;; Two streams stepped together, [$p, $p + $n) from $s0 and [$p + $n, $p + 2 * $n) from $s1:
  ;; the loads of one overlap the other's. Returns stream 0's hit count; final states at [256]
  ;; and [260], stream 1's hit count at [276]. Each hit area must hold $n pairs.
  (func (export "scan2")
    (param $p i32) (param $n i32) (param $s0 i32) (param $s1 i32) (param $d i32)
    (param $outMin i32) (param $out0 i32) (param $out1 i32) (result i32)
    (local $q i32) (local $end i32) (local $o0 i32) (local $o1 i32)
    (local.set $q (i32.add (local.get $p) (local.get $n)))
    (local.set $end (local.get $q))
    (local.set $o0 (local.get $out0))
    (local.set $o1 (local.get $out1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s0
          (i32.load
            (i32.add (local.get $d)
              (i32.add (local.get $s0) (i32.load8_u (i32.load8_u (local.get $p)))))))
        (local.set $s1
          (i32.load
            (i32.add (local.get $d)
              (i32.add (local.get $s1) (i32.load8_u (i32.load8_u (local.get $q)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (if (i32.ge_u (local.get $s0) (local.get $outMin))
          (then
            (i32.store (local.get $o0) (local.get $p))
            (i32.store offset=4 (local.get $o0) (local.get $s0))
            (local.set $o0 (i32.add (local.get $o0) (i32.const 8)))))
        (if (i32.ge_u (local.get $s1) (local.get $outMin))
          (then
            (i32.store (local.get $o1) (local.get $q))
            (i32.store offset=4 (local.get $o1) (local.get $s1))
            (local.set $o1 (i32.add (local.get $o1) (i32.const 8)))))
        (br $next)))
    (i32.store (i32.const 256) (local.get $s0))
    (i32.store (i32.const 260) (local.get $s1))
    (i32.store (i32.const 276) (i32.shr_u (i32.sub (local.get $o1) (local.get $out1)) (i32.const 3)))
    (i32.shr_u (i32.sub (local.get $o0) (local.get $out0)) (i32.const 3)))

  ;; Four streams over one 32 KiB block: stream i runs [$p + 8192i, $p + 8192(i + 1)) from $si.
  ;; Each step is one chain of dependent loads per stream, and four chains keep the load ports
  ;; busy where two leave them waiting. The spacing and the table's address are constants so
  ;; that every load is one instruction with its offset folded in: the same loop with four
  ;; pointers or a $d parameter ran no faster than scan2 (BENCHMARKS.md). The table must sit
  ;; at 288. Stream i writes its hits at $out + 65536i (8192 pairs, one per byte at most);
  ;; final states go to [256 + 4i] and hit counts to [272 + 4i] (stream 0's is returned too).
  (func (export "scan4")
    (param $p i32) (param $s0 i32) (param $s1 i32) (param $s2 i32) (param $s3 i32)
    (param $outMin i32) (param $out i32) (result i32)
    (local $end i32) (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local.set $end (i32.add (local.get $p) (i32.const 8192)))
    (local.set $o0 (local.get $out))
    (local.set $o1 (i32.add (local.get $out) (i32.const 65536)))
    (local.set $o2 (i32.add (local.get $out) (i32.const 131072)))
    (local.set $o3 (i32.add (local.get $out) (i32.const 196608)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s0
          (i32.load offset=288
            (i32.add (local.get $s0) (i32.load8_u (i32.load8_u (local.get $p))))))
        (local.set $s1
          (i32.load offset=288
            (i32.add (local.get $s1) (i32.load8_u (i32.load8_u offset=8192 (local.get $p))))))
        (local.set $s2
          (i32.load offset=288
            (i32.add (local.get $s2) (i32.load8_u (i32.load8_u offset=16384 (local.get $p))))))
        (local.set $s3
          (i32.load offset=288
            (i32.add (local.get $s3) (i32.load8_u (i32.load8_u offset=24576 (local.get $p))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (if (i32.ge_u (local.get $s0) (local.get $outMin))
          (then
            (i32.store (local.get $o0) (local.get $p))
            (i32.store offset=4 (local.get $o0) (local.get $s0))
            (local.set $o0 (i32.add (local.get $o0) (i32.const 8)))))
        (if (i32.ge_u (local.get $s1) (local.get $outMin))
          (then
            (i32.store (local.get $o1) (i32.add (local.get $p) (i32.const 8192)))
            (i32.store offset=4 (local.get $o1) (local.get $s1))
            (local.set $o1 (i32.add (local.get $o1) (i32.const 8)))))
        (if (i32.ge_u (local.get $s2) (local.get $outMin))
          (then
            (i32.store (local.get $o2) (i32.add (local.get $p) (i32.const 16384)))
            (i32.store offset=4 (local.get $o2) (local.get $s2))
            (local.set $o2 (i32.add (local.get $o2) (i32.const 8)))))
        (if (i32.ge_u (local.get $s3) (local.get $outMin))
          (then
            (i32.store (local.get $o3) (i32.add (local.get $p) (i32.const 24576)))
            (i32.store offset=4 (local.get $o3) (local.get $s3))
            (local.set $o3 (i32.add (local.get $o3) (i32.const 8)))))
        (br $next)))
    (i32.store (i32.const 256) (local.get $s0))
    (i32.store (i32.const 260) (local.get $s1))
    (i32.store (i32.const 264) (local.get $s2))
    (i32.store (i32.const 268) (local.get $s3))
    (i32.store (i32.const 272) (i32.shr_u (i32.sub (local.get $o0) (local.get $out)) (i32.const 3)))
    (i32.store (i32.const 276)
      (i32.shr_u (i32.sub (local.get $o1) (i32.add (local.get $out) (i32.const 65536))) (i32.const 3)))
    (i32.store (i32.const 280)
      (i32.shr_u (i32.sub (local.get $o2) (i32.add (local.get $out) (i32.const 131072))) (i32.const 3)))
    (i32.store (i32.const 284)
      (i32.shr_u (i32.sub (local.get $o3) (i32.add (local.get $out) (i32.const 196608))) (i32.const 3)))
    (i32.load (i32.const 272)))

  ;; Occurrences of byte $b in [$p, $end): the driver counts newlines (records) here, on
  ;; bytes it has just copied in, instead of a second pass over the batch in JS (~0.3 ms per
  ;; MB with Buffer.indexOf per line). 16 bytes per step with SIMD, then byte by byte.
  (func (export "count")
    (param $p i32) (param $end i32) (param $b i32) (result i32)
    (local $n i32) (local $v v128)
    (local.set $v (i8x16.splat (local.get $b)))
    (block $wide
      (loop $next16
        (br_if $wide (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        (local.set $n
          (i32.add (local.get $n)
            (i32.popcnt (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (local.get $v))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next16)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $n
          (i32.add (local.get $n) (i32.eq (i32.load8_u (local.get $p)) (local.get $b))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (local.get $n))
)
