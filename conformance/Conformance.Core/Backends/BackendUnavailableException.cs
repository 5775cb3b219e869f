namespace Conformance.Core.Backends;

/// <summary>
/// Thrown by a backend's constructor when its device or native library is not present on this
/// machine (no GPU, say). The suite turns it into a skip with this message, never a failure.
/// </summary>
public sealed class BackendUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
