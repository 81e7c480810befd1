// See package.json: cbor-x catches this and decodes in JavaScript.
throw new Error('cbor-extract native acceleration is not installed (flowpaint uses the JavaScript decoder)');
