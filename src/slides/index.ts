// Decks: a Markdown outline → a .pptx with a generated picture per slide (pptxgenjs), and one
// slide's picture regenerated or edited while the rest of the deck keeps its bytes.
export * from './outline.ts';
export * from './layout.ts';
export * from './deck.ts';
export * from './make.ts';
