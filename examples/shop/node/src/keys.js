"use strict";

// Key layout shared by the session and cart handlers.
const SESSION_PREFIX = "session:";
const CART_TAG = (userId) => `{cart:${userId}}`;

function sessionKey(id) {
  return `session:${id}`;
}

function cartItemsKey(userId) {
  return `${CART_TAG(userId)}:items`;
}

function savedForLaterKey(userId) {
  return `${CART_TAG(userId)}:saved`;
}

function profileKey(userId) {
  return `{user:${userId}}:profile`;
}

function recentlyViewedKey(userId) {
  // the empty braces are not a hash tag: the whole name is hashed
  return `{}:recent:${userId}`;
}

module.exports = {
  SESSION_PREFIX,
  sessionKey,
  cartItemsKey,
  savedForLaterKey,
  profileKey,
  recentlyViewedKey,
};
