#!/usr/bin/env python3
"""Regenerates gguf-py-fixture.gguf, a small file written by llama.cpp's own GGUF writer (gguf-py),
which GgufRoundTripTest reads to check the reader against an independent implementation. The file
holds only the values below (832 bytes). gguf-py comes from the llama.cpp source that the pinned
node-llama-cpp package carries (after validation/llama-ref/build.sh); the output is byte-identical:

    git clone -q validation/llama-ref/node_modules/node-llama-cpp/llama/gitRelease.bundle /tmp/llama-src
    PYTHONPATH=/tmp/llama-src/gguf-py python3 model-graph/src/test/resources/dev/squall/gguf/make_gguf_py_fixture.py
"""
import os

import numpy as np
from gguf import GGUFWriter, GGUFValueType, GGMLQuantizationType

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gguf-py-fixture.gguf")
w = GGUFWriter(out, "llama")  # writes general.architecture = "llama"
w.add_uint8("test.u8", 200)
w.add_int8("test.i8", -100)
w.add_uint16("test.u16", 60000)
w.add_int16("test.i16", -30000)
w.add_uint32("test.u32", 4000000000)
w.add_int32("test.i32", -2000000000)
w.add_float32("test.f32", 0.25)
w.add_uint64("test.u64", 2**64 - 1)
w.add_int64("test.i64", -2**62)
w.add_float64("test.f64", -1.5e300)
w.add_bool("test.bool", True)
w.add_string("test.string", "héllo, wörld ✓ 🦙")
w.add_array("test.strings", ["a", "", "ü"])
w.add_key_value("test.nested", [[1, 2], [3]], GGUFValueType.ARRAY)
w.add_tensor("f32", np.arange(6, dtype=np.float32).reshape(2, 3))
w.add_tensor("f16", np.array([1, -2, 0.5, 65504, -0.0], dtype=np.float16))
q8 = np.arange(2 * 34, dtype=np.uint8).reshape(2, 34)  # two Q8_0 blocks, shape given in bytes
w.add_tensor("q8_0", q8, raw_dtype=GGMLQuantizationType.Q8_0)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print(out, os.path.getsize(out))
