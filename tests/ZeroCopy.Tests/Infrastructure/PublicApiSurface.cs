using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace ZeroCopy.Tests.Infrastructure;

/// <summary>
/// Describes an assembly's public surface one member a line, and compares it with a checked-in PublicAPI.txt. Shared by
/// every package's API test (the ZeroCopy.AspNetCore tests link this file).
/// </summary>
public static class PublicApiSurface
{
    /// <summary>
    /// Fails, listing what was added and removed, when <paramref name="assembly"/>'s public surface differs from the file
    /// at <paramref name="relativePath"/> (from the repository root). With ZEROCOPY_UPDATE_PUBLIC_API=1 it rewrites the file.
    /// </summary>
    public static void AssertMatches(Assembly assembly, string relativePath)
    {
        string path = Path.Combine(RepositoryRoot(), relativePath);
        string actual = string.Join('\n', Describe(assembly)) + "\n";
        if (Environment.GetEnvironmentVariable("ZEROCOPY_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, actual);
        }

        string expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        string[] added = actual.Split('\n').Except(expected.Split('\n')).ToArray();
        string[] removed = expected.Split('\n').Except(actual.Split('\n')).ToArray();
        Assert.True(
            added.Length == 0 && removed.Length == 0,
            $"The public API differs from {relativePath} (set ZEROCOPY_UPDATE_PUBLIC_API=1 to accept).\n" +
            $"Added:\n  {string.Join("\n  ", added)}\nRemoved:\n  {string.Join("\n  ", removed)}");
    }

    public static IEnumerable<string> Describe(Assembly assembly)
    {
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            yield return $"{Kind(type)} {Name(type)}";
            var members = new List<string>();
            foreach (MemberInfo member in type.GetMembers(Declared))
            {
                switch (member)
                {
                    case ConstructorInfo c:
                        members.Add($"  .ctor({Parameters(c)})");
                        break;
                    case MethodInfo m when !m.IsSpecialName:
                        members.Add($"  {(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}{Generic(m)}({Parameters(m)})");
                        break;
                    case PropertyInfo p:
                        string accessors = (p.GetMethod?.IsPublic == true ? "get; " : "") + (p.SetMethod?.IsPublic == true ? (IsInit(p.SetMethod) ? "init; " : "set; ") : "");
                        members.Add($"  {Name(p.PropertyType)} {p.Name} {{ {accessors}}}");
                        break;
                    case FieldInfo f when type.IsEnum && f.IsStatic:
                        members.Add($"  {f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}");
                        break;
                    case FieldInfo f when !type.IsEnum:
                        members.Add($"  {(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}{(f.IsLiteral ? $" = {f.GetRawConstantValue()}" : "")}");
                        break;
                    case EventInfo e:
                        members.Add($"  event {Name(e.EventHandlerType!)} {e.Name}");
                        break;
                }
            }

            foreach (string member in members.Order(StringComparer.Ordinal))
            {
                yield return member;
            }
        }
    }

    private static string Kind(Type type) =>
        type.IsEnum ? "enum" :
        type.IsInterface ? "interface" :
        type.IsValueType ? (type.IsDefined(typeof(IsReadOnlyAttribute)) ? "readonly struct" : "struct") :
        type.IsAbstract && type.IsSealed ? "static class" :
        type.IsSealed ? "sealed class" :
        type.IsAbstract ? "abstract class" : "class";

    private static bool IsInit(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.FullName == "System.Runtime.CompilerServices.IsExternalInit");

    private static string Generic(MethodInfo method) =>
        method.IsGenericMethodDefinition ? $"<{string.Join(", ", method.GetGenericArguments().Select(Name))}>" : "";

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p =>
            (p.IsDefined(typeof(ExtensionAttribute)) || method.IsDefined(typeof(ExtensionAttribute)) && p.Position == 0 ? "this " : "") +
            (p.ParameterType.IsByRef ? (p.IsOut ? "out " : p.IsIn ? "in " : "ref ") : "") +
            $"{Name(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType)} {p.Name}" +
            (p.HasDefaultValue ? $" = {p.DefaultValue ?? "default"}" : "")));

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        string name = type.IsNested ? $"{Name(type.DeclaringType!)}.{type.Name}" : $"{type.Namespace}.{type.Name}";
        if (!type.IsGenericType)
        {
            return name;
        }

        var builder = new StringBuilder(name[..name.IndexOf('`', StringComparison.Ordinal)]);
        builder.Append('<').AppendJoin(", ", type.GetGenericArguments().Select(Name)).Append('>');
        return builder.ToString();
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
    {
        // The test binary runs from bin/; the source tree is found from the build's own path of this file,
        // falling back to walking up from the working directory.
        for (string? dir = Path.GetDirectoryName(thisFile); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "ZeroCopy.sln")))
            {
                return dir;
            }
        }

        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "ZeroCopy.sln")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("ZeroCopy.sln not found above the test's source or binary.");
    }
}
