/**
 * Turns a request into NBCE rows: the model's tokenizer ({@link dev.nbce.gateway.prompt.ModelTokenizer}),
 * its chat template ({@link dev.nbce.gateway.prompt.ChatTemplate}), the user turn of a row
 * ({@link dev.nbce.gateway.prompt.RowRenderer}) and the cutting of long contexts into windows that fit
 * the model ({@link dev.nbce.gateway.prompt.Windower}). {@link dev.nbce.gateway.prompt.PromptModel}
 * bundles them for one model directory.
 */
package dev.nbce.gateway.prompt;
