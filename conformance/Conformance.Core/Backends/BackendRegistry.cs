using System.Reflection;
using System.Runtime.Loader;
using Conformance.Reference;

namespace Conformance.Core.Backends;

/// <summary>A backend that is registered but cannot be created here (type missing, native library absent).</summary>
public sealed class BackendUnavailableException(string name, string reason, Exception? inner = null)
    : InvalidOperationException($"backend '{name}' is not available: {reason}", inner)
{
    /// <summary>The backend's command-line name.</summary>
    public string BackendName { get; } = name;
}

/// <summary>
/// Maps command-line backend names to factories. Backends are created only when asked for, so
/// a backend whose assembly or native library is missing costs nothing until it is named, and
/// then fails with one clear <see cref="BackendUnavailableException"/>.
/// </summary>
public sealed class BackendRegistry
{
    private readonly Dictionary<string, Func<IConformanceBackend>> _factories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _typeOf = new(StringComparer.Ordinal);
    private readonly HashSet<string> _variants = new(StringComparer.Ordinal);
    private readonly List<string> _loadProblems = [];

    /// <summary>A registry holding the built-in "reference" backend.</summary>
    public static BackendRegistry CreateDefault()
    {
        var registry = new BackendRegistry();
        registry.Register("reference", () => new ReferenceBackend());
        return registry;
    }

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => _factories.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The names <c>--backend all</c> runs: every registered name but the variants
    /// (<see cref="RegisterVariantType"/>), which are the same backend run another way.
    /// </summary>
    public IReadOnlyList<string> PrimaryNames => Names.Where(n => !_variants.Contains(n)).ToList();

    /// <summary>Problems met while loading external assemblies (types that could not be created), shown with unknown-name errors.</summary>
    public IReadOnlyList<string> LoadProblems => _loadProblems;

    /// <summary>Whether <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _factories.ContainsKey(name);

    /// <summary>Registers (or replaces) the factory for <paramref name="name"/>.</summary>
    public void Register(string name, Func<IConformanceBackend> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        _factories[name] = factory;
        _typeOf.Remove(name);
        _variants.Remove(name);
    }

    /// <summary>
    /// Registers a backend by assembly-qualified type name, resolved only when the backend is
    /// created, so a backend assembly that is not built or not shipped makes that one backend
    /// unavailable instead of breaking the program.
    /// </summary>
    public void RegisterType(string name, string assemblyQualifiedTypeName)
    {
        Register(name, () =>
        {
            Type? type;
            try
            {
                type = Type.GetType(assemblyQualifiedTypeName, throwOnError: false);
            }
            catch (Exception e) when (e is FileLoadException or BadImageFormatException)
            {
                throw new BackendUnavailableException(name, $"cannot load {assemblyQualifiedTypeName}: {e.Message}", e);
            }
            if (type == null)
                throw new BackendUnavailableException(name, $"type {assemblyQualifiedTypeName} was not found (is its assembly built and beside the program?)");
            return Instantiate(name, type);
        });
        _typeOf[name] = TypeKey(assemblyQualifiedTypeName);
    }

    /// <summary>
    /// Registers, like <see cref="RegisterType"/>, a variant of another backend (e.g. one kernel
    /// version forced): it runs when named, and <see cref="PrimaryNames"/> leaves it out.
    /// </summary>
    public void RegisterVariantType(string name, string assemblyQualifiedTypeName)
    {
        RegisterType(name, assemblyQualifiedTypeName);
        _variants.Add(name);
    }

    /// <summary>
    /// Creates the backend named <paramref name="name"/>. Unknown names are an
    /// <see cref="OpArgumentException"/> listing the known ones.
    /// </summary>
    public IConformanceBackend Create(string name)
    {
        CheckName(name);
        return _factories[name]();
    }

    /// <summary>Throws the unknown-name <see cref="OpArgumentException"/> (listing the known names) unless <paramref name="name"/> is registered.</summary>
    public void CheckName(string name)
    {
        if (_factories.ContainsKey(name)) return;
        string expected = "one of " + string.Join(", ", Names);
        if (_loadProblems.Count > 0) expected += " (not loaded: " + string.Join("; ", _loadProblems) + ")";
        throw new OpArgumentException("backend", expected, $"'{name}'");
    }

    /// <summary>
    /// Loads the assembly at <paramref name="path"/> and registers every public, non-abstract
    /// <see cref="IConformanceBackend"/> type with a public parameterless constructor under its
    /// <see cref="IConformanceBackend.Name"/> (each is created once to read the name). Returns
    /// the names registered. A name already registered is an error when that name is created.
    /// </summary>
    public IReadOnlyList<string> LoadAssembly(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"argument 'backend-assembly': expected an existing .dll, got no file at '{path}'", full);
        Assembly assembly;
        try
        {
            assembly = new PluginLoadContext(full).LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException e)
        {
            throw new OpArgumentException("backend-assembly", "a .NET assembly", $"'{path}' ({e.Message})");
        }
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            throw new OpArgumentException("backend-assembly", "an assembly whose dependencies load", $"'{path}' ({e.Message})");
        }
        var names = new List<string>();
        foreach (var type in types.Where(IsBackendType).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            string name;
            try
            {
                using var probe = Instantiate(type.FullName!, type);
                name = probe.Name;
            }
            catch (BackendUnavailableException e)
            {
                _loadProblems.Add($"{type.FullName} from {Path.GetFileName(full)}: {e.Message}");
                continue;
            }
            if (_typeOf.TryGetValue(name, out string? known) && known == TypeKey(type))
            {
                // The same backend type as a built-in one (its own assembly was named): keep the built-in.
            }
            else if (_factories.ContainsKey(name))
            {
                string other = name;
                Register(name, () => throw new BackendUnavailableException(other,
                    $"the name is registered twice (again by {type.FullName} from {Path.GetFileName(full)})"));
            }
            else
            {
                Register(name, () => Instantiate(name, type));
                _typeOf[name] = TypeKey(type);
            }
            names.Add(name);
        }
        return names;
    }

    private static string TypeKey(Type t) => $"{t.FullName}, {t.Assembly.GetName().Name}";

    private static string TypeKey(string assemblyQualifiedName)
    {
        // "Namespace.Type, Assembly, Version=..." -> "Namespace.Type, Assembly"
        string[] parts = assemblyQualifiedName.Split(',', StringSplitOptions.TrimEntries);
        return parts.Length >= 2 ? $"{parts[0]}, {parts[1]}" : assemblyQualifiedName.Trim();
    }

    private static bool IsBackendType(Type t) =>
        t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } &&
        typeof(IConformanceBackend).IsAssignableFrom(t) &&
        t.GetConstructor(Type.EmptyTypes) != null;

    private static IConformanceBackend Instantiate(string name, Type type)
    {
        if (!typeof(IConformanceBackend).IsAssignableFrom(type))
            throw new BackendUnavailableException(name, $"{type.FullName} does not implement {nameof(IConformanceBackend)}");
        try
        {
            return (IConformanceBackend)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is BackendUnavailableException unavailable)
        {
            // The backend said itself why it cannot start (no device): keep its words, unwrapped.
            throw unavailable;
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            throw new BackendUnavailableException(name, $"{type.FullName} failed to start: {e.InnerException.Message}", e.InnerException);
        }
        catch (Exception e) when (e is MissingMethodException or TypeLoadException or FileNotFoundException
                                      or FileLoadException or DllNotFoundException or BadImageFormatException)
        {
            throw new BackendUnavailableException(name, $"{type.FullName} cannot be created: {e.Message}", e);
        }
    }

    /// <summary>
    /// Loads a backend assembly with its own dependencies, but takes every assembly the host
    /// can load itself from the host, so IConformanceBackend and Tensor are the host's types
    /// (otherwise the plugin's backends would not be assignable to the host's interface).
    /// </summary>
    private sealed class PluginLoadContext(string mainAssemblyPath)
        : AssemblyLoadContext($"backend:{Path.GetFileName(mainAssemblyPath)}")
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

        protected override Assembly? Load(AssemblyName name)
        {
            try
            {
                return Default.LoadFromAssemblyName(name);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException)
            {
                string? path = _resolver.ResolveAssemblyToPath(name);
                return path != null ? LoadFromAssemblyPath(path) : null;
            }
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
            return path != null ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
        }
    }
}
