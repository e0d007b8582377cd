;; MT19937 draws for the bootstrap, in WebAssembly with 128-bit SIMD (four words per instruction).
;; Source of the bytes embedded in mt19937-wasm.ts (test/lib/core/rouge/mt19937-wasm.test.ts
;; compiles this file with wabt and compares). Same generator and the same draws as random.ts:
;; the caller copies its 624 state words in, and the position and the words back out.
;;
;; Memory layout (bytes):
;;   [0, 2496)      the 624 state words of the current block
;;   [2496, 4992)   the same words tempered (not masked), filled by $block after each twist
;;   [4992, ...)    per call, given by the caller: accept table (one byte per masked value: 1 when
;;                  it is a valid index), values (f64 per masked value, 0 above N-1), outputs
(module
  (memory (export "memory") 1)

  ;; Twist of words i..i+3 (the loops of $block repeat this body inline: V8 does not inline calls
  ;; between WebAssembly functions): y = upper bit of word i | lower 31 bits of word i+1; word i =
  ;; far word ^ (y >>> 1) ^ (y odd ? 0x9908b0df : 0). Words i+1..i+4 and the far words are read before
  ;; any is written, which is what the sequential recurrence reads for these four lanes.

  ;; The same for one word, with its neighbour $next.
  (func $twist1 (param $i i32) (param $next i32) (param $far i32)
    (local $y i32)
    (local.set $y
      (i32.or
        (i32.and (i32.load (i32.shl (local.get $i) (i32.const 2))) (i32.const 0x80000000))
        (i32.and (i32.load (i32.shl (local.get $next) (i32.const 2))) (i32.const 0x7fffffff))))
    (i32.store (i32.shl (local.get $i) (i32.const 2))
      (i32.xor
        (i32.xor (i32.load (i32.shl (local.get $far) (i32.const 2))) (i32.shr_u (local.get $y) (i32.const 1)))
        (i32.and (i32.sub (i32.const 0) (i32.and (local.get $y) (i32.const 1))) (i32.const 0x9908b0df)))))

  ;; Tempers the 624 state words into [2496, 4992).
  (func $temper (export "temper")
    (local $i i32) (local $y v128)
    (loop $words
      (local.set $y (v128.load (i32.shl (local.get $i) (i32.const 2))))
      (local.set $y (v128.xor (local.get $y) (i32x4.shr_u (local.get $y) (i32.const 11))))
      (local.set $y (v128.xor (local.get $y) (v128.and (i32x4.shl (local.get $y) (i32.const 7)) (v128.const i32x4 0x9d2c5680 0x9d2c5680 0x9d2c5680 0x9d2c5680))))
      (local.set $y (v128.xor (local.get $y) (v128.and (i32x4.shl (local.get $y) (i32.const 15)) (v128.const i32x4 0xefc60000 0xefc60000 0xefc60000 0xefc60000))))
      (local.set $y (v128.xor (local.get $y) (i32x4.shr_u (local.get $y) (i32.const 18))))
      (v128.store offset=2496 (i32.shl (local.get $i) (i32.const 2)) (local.get $y))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $words (i32.lt_u (local.get $i) (i32.const 624)))))

  ;; The next block: twist all 624 words (M = 397), then temper them. $at is the byte address of word i.
  (func $block (export "block")
    (local $at i32) (local $y v128)
    ;; Words 0..223 read words 397..623, not yet rewritten (far word at +1588 bytes).
    (loop $first
      (local.set $y
        (v128.or
          (v128.and (v128.load (local.get $at)) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
          (v128.and (v128.load offset=4 (local.get $at)) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
      (v128.store (local.get $at)
        (v128.xor
          (v128.xor (v128.load offset=1588 (local.get $at)) (i32x4.shr_u (local.get $y) (i32.const 1)))
          (v128.and
            (i32x4.sub (v128.const i32x4 0 0 0 0) (v128.and (local.get $y) (v128.const i32x4 1 1 1 1)))
            (v128.const i32x4 0x9908b0df 0x9908b0df 0x9908b0df 0x9908b0df))))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br_if $first (i32.lt_u (local.get $at) (i32.const 896))))
    ;; Words 224..226, one by one.
    (call $twist1 (i32.const 224) (i32.const 225) (i32.const 621))
    (call $twist1 (i32.const 225) (i32.const 226) (i32.const 622))
    (call $twist1 (i32.const 226) (i32.const 227) (i32.const 623))
    ;; Words 227..622 read words 0..395, already rewritten (far word 908 bytes back).
    (local.set $at (i32.const 908))
    (loop $second
      (local.set $y
        (v128.or
          (v128.and (v128.load (local.get $at)) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
          (v128.and (v128.load offset=4 (local.get $at)) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))))
      (v128.store (local.get $at)
        (v128.xor
          (v128.xor (v128.load (i32.sub (local.get $at) (i32.const 908))) (i32x4.shr_u (local.get $y) (i32.const 1)))
          (v128.and
            (i32x4.sub (v128.const i32x4 0 0 0 0) (v128.and (local.get $y) (v128.const i32x4 1 1 1 1)))
            (v128.const i32x4 0x9908b0df 0x9908b0df 0x9908b0df 0x9908b0df))))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br_if $second (i32.lt_u (local.get $at) (i32.const 2492))))
    ;; Word 623 wraps round to the new word 0.
    (call $twist1 (i32.const 623) (i32.const 0) (i32.const 396))
    (call $temper))

  ;; Resample means of one column: from word $pos of the current block (624: twist first), each
  ;; tempered word masked with $mask adds values[v] (0 above N-1) to the running sum and accept[v]
  ;; to the count; at N counted draws the mean (sum / N, summed left to right) goes to means[r].
  ;; Stops after $resamples means; returns the position after the last word used.
  (func (export "means") (param $n i32) (param $resamples i32) (param $mask i32) (param $pos i32)
    (param $accept i32) (param $values i32) (param $means i32) (result i32)
    (local $r i32) (local $taken i32) (local $total f64) (local $v i32)
    (block $done
      (loop $blocks
        (if (i32.ge_u (local.get $pos) (i32.const 624))
          (then (call $block) (local.set $pos (i32.const 0))))
        (loop $words
          (local.set $v (i32.and (i32.load offset=2496 (i32.shl (local.get $pos) (i32.const 2))) (local.get $mask)))
          (local.set $total (f64.add (local.get $total) (f64.load (i32.add (local.get $values) (i32.shl (local.get $v) (i32.const 3))))))
          (local.set $taken (i32.add (local.get $taken) (i32.load8_u (i32.add (local.get $accept) (local.get $v)))))
          (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
          (if (i32.eq (local.get $taken) (local.get $n))
            (then
              (f64.store (i32.add (local.get $means) (i32.shl (local.get $r) (i32.const 3)))
                (f64.div (local.get $total) (f64.convert_i32_u (local.get $n))))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (local.set $total (f64.const 0))
              (local.set $taken (i32.const 0))
              (br_if $done (i32.eq (local.get $r) (local.get $resamples)))))
          (br_if $words (i32.lt_u (local.get $pos) (i32.const 624))))
        (br $blocks)))
    (local.get $pos))

  ;; Draws $count indices in [0, N) (masked rejection) into i32 slots from $out; returns the position.
  (func (export "indices") (param $n i32) (param $count i32) (param $mask i32) (param $pos i32) (param $out i32) (result i32)
    (local $k i32) (local $v i32)
    (if (i32.eqz (local.get $count)) (then (return (local.get $pos))))
    (block $done
      (loop $blocks
        (if (i32.ge_u (local.get $pos) (i32.const 624))
          (then (call $block) (local.set $pos (i32.const 0))))
        (loop $words
          (local.set $v (i32.and (i32.load offset=2496 (i32.shl (local.get $pos) (i32.const 2))) (local.get $mask)))
          (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
          ;; A rejected draw is written and then overwritten by the next one.
          (i32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (local.get $v))
          (local.set $k (i32.add (local.get $k) (i32.lt_u (local.get $v) (local.get $n))))
          (br_if $done (i32.eq (local.get $k) (local.get $count)))
          (br_if $words (i32.lt_u (local.get $pos) (i32.const 624))))
        (br $blocks)))
    (local.get $pos))

  ;; Advances past $resamples resamples of N draws without computing anything; returns the position.
  (func (export "skip") (param $n i32) (param $resamples i32) (param $mask i32) (param $pos i32) (param $accept i32) (result i32)
    (local $r i32) (local $taken i32)
    (if (i32.eqz (local.get $resamples)) (then (return (local.get $pos))))
    (block $done
      (loop $blocks
        (if (i32.ge_u (local.get $pos) (i32.const 624))
          (then (call $block) (local.set $pos (i32.const 0))))
        (loop $words
          (local.set $taken (i32.add (local.get $taken)
            (i32.load8_u (i32.add (local.get $accept) (i32.and (i32.load offset=2496 (i32.shl (local.get $pos) (i32.const 2))) (local.get $mask))))))
          (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
          (if (i32.eq (local.get $taken) (local.get $n))
            (then
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (local.set $taken (i32.const 0))
              (br_if $done (i32.eq (local.get $r) (local.get $resamples)))))
          (br_if $words (i32.lt_u (local.get $pos) (i32.const 624))))
        (br $blocks)))
    (local.get $pos))
)
