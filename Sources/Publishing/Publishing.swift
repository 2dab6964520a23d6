// The Publishing module; see design §2 for its place in the layers.
