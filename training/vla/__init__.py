"""OpenVLA-shaped small vision-language-action model, its tokenizer and its export to the vla-onnx folder format."""
