package dev.squall.cli;

import dev.squall.generation.Decoder;
import dev.squall.model.Model;
import dev.squall.sampling.SamplerConfig;
import dev.squall.speculative.Swift;

/** The SWIFT decoder from the shared speculation flags. */
final class SwiftFlags {

    private SwiftFlags() {}

    static Decoder decoder(Model target, Integer draftMax, Integer draftMin, Double pMin, SamplerConfig sampling) {
        return new Swift(draftMin == null ? 1 : draftMin, draftMax == null ? Swift.DEFAULT_DRAFT_MAX : draftMax,
                pMin == null ? Swift.DEFAULT_CONFIDENCE : pMin, sampling.seed());
    }
}
