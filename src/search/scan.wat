;; Inner products of one query with every row of a matrix, with 128-bit SIMD (four float32 lanes,
;; two accumulators). Compiled into src/search/scan-wasm.ts; test/scan-wasm.test.ts checks the
;; bytes there come from this file and the scores match a plain JavaScript loop.
;;
;; scan(data, q, n, bytes, out): for s in [0, n): out[s] = Σ data[s·bytes + i] · q[i] over the row,
;; where `bytes` is the row length in bytes (the dimension padded to a multiple of 8 floats, × 4).
;;
;; scan_i8(data, q, n, bytes, out): the same over signed 8-bit rows (the quantized index's first pass),
;; with the query already widened to 16 bits (2·bytes bytes at q): out[s] = Σ data[s·bytes + i] · q[i]
;; as an exact integer, stored as f32; `bytes` is a multiple of 16. Each 16 row bytes are widened and
;; multiplied pairwise into four 32-bit lanes (i32x4.dot_i16x8_s); values in [-127, 127] cannot overflow.
(module
  (memory (export "memory") 1)
  (func (export "scan") (param $data i32) (param $q i32) (param $n i32) (param $bytes i32) (param $out i32)
    (local $s i32) (local $i i32) (local $row i32) (local $a v128) (local $b v128)
    (local.set $row (local.get $data))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $s) (local.get $n)))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (local.set $b (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $end
          (loop $cols
            (br_if $end (i32.ge_u (local.get $i) (local.get $bytes)))
            (local.set $a
              (f32x4.add (local.get $a)
                (f32x4.mul
                  (v128.load (i32.add (local.get $row) (local.get $i)))
                  (v128.load (i32.add (local.get $q) (local.get $i))))))
            (local.set $b
              (f32x4.add (local.get $b)
                (f32x4.mul
                  (v128.load offset=16 (i32.add (local.get $row) (local.get $i)))
                  (v128.load offset=16 (i32.add (local.get $q) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $cols)))
        (local.set $a (f32x4.add (local.get $a) (local.get $b)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $s) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
            (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $rows))))
  (func (export "scan_i8") (param $data i32) (param $q i32) (param $n i32) (param $bytes i32) (param $out i32)
    (local $s i32) (local $i i32) (local $j i32) (local $row i32) (local $acc v128) (local $acc2 v128) (local $a v128)
    (local.set $row (local.get $data))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $s) (local.get $n)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $acc2 (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (local.set $j (local.get $q))
        (block $end
          (loop $cols
            (br_if $end (i32.ge_u (local.get $i) (local.get $bytes)))
            (local.set $a (v128.load (i32.add (local.get $row) (local.get $i))))
            (local.set $acc
              (i32x4.add (local.get $acc)
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a)) (v128.load (local.get $j)))))
            (local.set $acc2
              (i32x4.add (local.get $acc2)
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a)) (v128.load offset=16 (local.get $j)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 32)))
            (br $cols)))
        (local.set $acc (i32x4.add (local.get $acc) (local.get $acc2)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $s) (i32.const 2)))
          (f32.convert_i32_s
            (i32.add
              (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
              (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $rows)))))
