package dev.nbce.gateway.prompt;

/**
 * Content given as a list of parts where this model's chat template (or the row a window goes into)
 * needs a string. Its own type, so the caller can join the parts and render again.
 */
public final class ContentPartsRefusedException extends ChatTemplateException {

    public ContentPartsRefusedException(String message) {
        super(message);
    }
}
