// live-casino shim for <ankerl/unordered_dense.h>.
//
// Why: mediasoup's worker pulls martinus/unordered_dense (header-only) through a
// meson wrap that is downloaded from GitHub at build time. It is not in the npm
// tarball and not packaged in Debian 12, and our build machines have no GitHub
// access. The worker only uses ankerl::unordered_dense::{map, set, hash}, so we
// map the containers onto std::unordered_map / std::unordered_set.
//
// Behaviour notes:
// - The container API the worker uses (find/emplace/try_emplace/erase/at/[]/
//   contains/count/size/clear/iteration/initializer lists) is identical.
// - std containers give *stronger* guarantees than unordered_dense (references
//   and pointers to elements stay valid across inserts/erases), so code written
//   for unordered_dense stays correct.
// - Iteration order differs (unordered_dense iterates in insertion order until an
//   erase swaps the last element into the hole; std order is unspecified). The
//   worker does not depend on it; it only shows up as the order of ids in
//   dump() responses.
// - ankerl::unordered_dense::hash<T> reproduces upstream v4 exactly for integral,
//   enum and pointer types (wyhash "mum" mix), which the worker uses explicitly in
//   TransportTuple / PortManager hash functions. Other types (std::string, ...)
//   fall back to std::hash, which only affects bucket distribution.
#ifndef LIVE_CASINO_ANKERL_UNORDERED_DENSE_SHIM_H
#define LIVE_CASINO_ANKERL_UNORDERED_DENSE_SHIM_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#define ANKERL_UNORDERED_DENSE_VERSION_MAJOR 4
#define ANKERL_UNORDERED_DENSE_VERSION_MINOR 8
#define ANKERL_UNORDERED_DENSE_VERSION_PATCH 1

namespace ankerl::unordered_dense
{
	namespace detail::wyhash
	{
		inline void mum(uint64_t* a, uint64_t* b)
		{
			__uint128_t r = *a;
			r *= *b;
			*a = static_cast<uint64_t>(r);
			*b = static_cast<uint64_t>(r >> 64U);
		}

		[[nodiscard]] inline uint64_t mix(uint64_t a, uint64_t b)
		{
			mum(&a, &b);
			return a ^ b;
		}

		[[nodiscard]] inline uint64_t hash(uint64_t x)
		{
			return mix(x, UINT64_C(0x9E3779B97F4A7C15));
		}
	} // namespace detail::wyhash

	// Generic fallback: std::hash (same as upstream for types without a
	// dedicated specialization).
	template<typename T, typename Enable = void>
	struct hash
	{
		auto operator()(const T& obj) const
		  noexcept(noexcept(std::declval<std::hash<T>>().operator()(std::declval<const T&>())))
		    -> uint64_t
		{
			return std::hash<T>{}(obj);
		}
	};

	// Integral types (upstream: ANKERL_UNORDERED_DENSE_HASH_STATICCAST).
	template<typename T>
	struct hash<T, typename std::enable_if_t<std::is_integral_v<T>>>
	{
		using is_avalanching = void;

		auto operator()(const T& obj) const noexcept -> uint64_t
		{
			return detail::wyhash::hash(static_cast<uint64_t>(obj));
		}
	};

	// Enums: hash the underlying value.
	template<typename Enum>
	struct hash<Enum, typename std::enable_if_t<std::is_enum_v<Enum>>>
	{
		using is_avalanching = void;

		auto operator()(Enum e) const noexcept -> uint64_t
		{
			using underlying = std::underlying_type_t<Enum>;
			return detail::wyhash::hash(static_cast<uint64_t>(static_cast<underlying>(e)));
		}
	};

	// Raw pointers.
	template<typename T>
	struct hash<T*>
	{
		using is_avalanching = void;

		auto operator()(T* ptr) const noexcept -> uint64_t
		{
			return detail::wyhash::hash(reinterpret_cast<uintptr_t>(ptr));
		}
	};

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<
	  class Key,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
