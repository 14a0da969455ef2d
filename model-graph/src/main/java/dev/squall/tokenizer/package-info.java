/**
 * Tokenizers and chat templates that reproduce llama.cpp token for token.
 *
 * <p>Entry points: {@link dev.squall.tokenizer.Vocabulary} (the GGUF {@code tokenizer.*} keys as
 * plain values), {@link dev.squall.tokenizer.Tokenizers#create} (SentencePiece BPE for
 * {@code llama}, byte-level BPE for {@code gpt2}), {@link dev.squall.tokenizer.Tokenizer} (encode,
 * decode, streaming, end of generation), {@link dev.squall.tokenizer.ChatTemplate} (the model's
 * Jinja2 template) and {@link dev.squall.tokenizer.SampleVocabulary} (vocabularies for generated
 * sample models).
 *
 * <p>Parity target: llama.cpp as bundled with node-llama-cpp 3.21.1 ({@code src/llama-vocab.cpp},
 * {@code src/unicode.cpp}). Checked by loading vocab-only GGUF files built from the real Llama 3,
 * Qwen 3 and Llama 2 vocabularies (plus the Llama 3 vocabulary under ten other pre-tokenizer names,
 * and sample vocabularies) in llama.cpp and comparing ids for about 6,000 texts (prose, code, CJK,
 * emoji, digit and whitespace runs, special tokens, random code points from every plane), with and
 * without special-token parsing, and detokenized text and end-of-generation sets: all identical.
 */
package dev.squall.tokenizer;
