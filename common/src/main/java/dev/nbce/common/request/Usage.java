package dev.nbce.common.request;

/** Token counts of one generation: prompt tokens of each row (row 0 first), their sum, tokens generated. */
public record Usage(int[] promptTokensPerRow, int promptTokens, int generatedTokens) {}
