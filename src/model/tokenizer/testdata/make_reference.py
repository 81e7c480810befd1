# Writes reference.ids.json: what the reference implementation (Hugging Face `tokenizers`,
# Rust, via Python; 0.23.3 when generated) encodes for each text with reference.tokenizer.json.
# tokenizer.test.ts checks that flowpaint's encoder gives the same ids.
#   python make_reference.py texts.json > reference.ids.json
import json, sys
import tokenizers
from tokenizers import Tokenizer

here = __file__.rsplit('/', 1)[0]
tok = Tokenizer.from_file(f'{here}/reference.tokenizer.json')
texts = json.load(open(sys.argv[1], encoding='utf-8'))
cases = []
for text in texts:
    tok.encode_special_tokens = False
    parsed = tok.encode(text, add_special_tokens=False).ids
    tok.encode_special_tokens = True
    literal = tok.encode(text, add_special_tokens=False).ids
    cases.append({'text': text, 'ids': parsed, 'idsSpecialAsText': literal})
# One case per line keeps the file diffable.
lines = [json.dumps(c, ensure_ascii=True, separators=(',', ':')) for c in cases]
print('{"reference":' + json.dumps(f'tokenizers {tokenizers.__version__}') + ',"cases":[\n' + ',\n'.join(lines) + '\n]}')
