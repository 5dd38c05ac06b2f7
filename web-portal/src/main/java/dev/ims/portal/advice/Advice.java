package dev.ims.portal.advice;

import java.util.List;

/**
 * The result of {@link AdviceEngine#advise(AdviceInput)}.
 *
 * @param suggestions by estimated yearly saving, largest first; empty when there is not enough data
 * @param notEnoughData null, or a sentence saying how many complete days exist and how many are needed
 */
public record Advice(List<Suggestion> suggestions, String notEnoughData) {

    public Advice {
        suggestions = suggestions == null ? List.of() : List.copyOf(suggestions);
        if (notEnoughData != null && !suggestions.isEmpty()) {
            throw new IllegalArgumentException("no suggestions may accompany notEnoughData");
        }
    }
}
