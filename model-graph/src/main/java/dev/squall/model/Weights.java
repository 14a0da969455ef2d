package dev.squall.model;

import dev.squall.tensor.WeightTensor;
import java.util.Optional;

/** The weights of a model by name, with errors that name the file and the tensor. */
public interface Weights {

    Optional<WeightTensor> find(String name);

    /** Where the weights come from, for error messages. */
    String source();

    default WeightTensor require(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(source() + ": missing tensor '" + name + "'"));
    }

    /** A tensor of the expected shape (ggml order), or an error naming both shapes. */
    default WeightTensor require(String name, long... shape) {
        return check(require(name), shape);
    }

    default Optional<WeightTensor> find(String name, long... shape) {
        return find(name).map(t -> check(t, shape));
    }

    private WeightTensor check(WeightTensor t, long[] shape) {
        long[] actual = t.shape();
        boolean ok = actual.length >= shape.length;
        for (int i = 0; ok && i < actual.length; i++) ok = actual[i] == (i < shape.length ? shape[i] : 1);
        if (!ok) {
            throw new IllegalArgumentException(source() + ": tensor '" + t.name() + "' has shape " + java.util.Arrays.toString(actual)
                    + ", expected " + java.util.Arrays.toString(shape));
        }
        return t;
    }
}
