package dev.squall.validation;

/**
 * Which cases to run: by operator ({@code --op}), device ({@code --device}), model or vocabulary
 * ({@code --model}, a substring) and group; null means any.
 */
public record Filter(String op, String device, String model, String group) {

    public static final Filter ALL = new Filter(null, null, null, null);

    public boolean accepts(ValidationCase c) {
        if (group != null && !c.group().equals(group)) return false;
        if (device != null && !c.device().equals(device)) return false;
        if (op != null && !(c.group().equals("op") && c.subject().equals(op))) return false;
        if (model != null && (c.group().equals("op") || !c.subject().contains(model))) return false;
        return true;
    }
}
