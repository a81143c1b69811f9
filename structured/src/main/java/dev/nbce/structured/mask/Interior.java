package dev.nbce.structured.mask;

import dev.nbce.structured.grammar.Lexeme;

/**
 * The vocabulary walked inside one terminal state, whatever surrounds it: the tokens that stay inside the
 * terminal, and the trie nodes where the terminal can end (with its state there), from which the walk goes on
 * in the surrounding structure.
 */
record Interior(long[] inside, Lexeme[] exitStates, int[][] exitNodes, long bytes) {}
