// fieldrename: renames private/internal fields of a C# solution to the repository's naming rule with Roslyn's
// Renamer (semantic rename: every reference, nameof(), cref, other projects via InternalsVisibleTo).
//
//   instance fields and mutable static fields (private, internal, private protected) -> _camelCase
//   static readonly fields (private, internal, private protected)                   -> PascalCase
//   const fields                                                                     -> left alone (reported if not PascalCase)
//
// Before renaming, a field used as an unnamed tuple element or anonymous-type member gets its old name spelled out
// (`(reader: _reader, target)`), so inferred element names do not change.
//
// Usage: dotnet run -c Release -- <solution.sln> [--dry-run] [--exclude GLOB]... [--exclude-file FILE] [--only GLOB]...
// GLOBs are matched against the path relative to the solution directory ('/' separators, '**' any depth, '*' one segment).
// A rename that would have to edit an excluded file is skipped and reported, so excluded files are never touched.
using System.Text.RegularExpressions;
using Microsoft.Build.Locator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.MSBuild;
using Microsoft.CodeAnalysis.Rename;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        string? slnPath = null;
        var dryRun = false;
        var excludes = new List<Regex>();
        var onlys = new List<Regex>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dry-run": dryRun = true; break;
                case "--exclude": excludes.Add(Glob(args[++i])); break;
                case "--only": onlys.Add(Glob(args[++i])); break;
                case "--exclude-file":
                    foreach (var line in File.ReadAllLines(args[++i]))
                    {
                        var t = line.Trim();
                        if (t.Length > 0 && !t.StartsWith('#')) excludes.Add(Glob(t));
                    }
                    break;
                default: slnPath = args[i]; break;
            }
        }
        if (slnPath is null)
        {
            Console.Error.WriteLine("usage: fieldrename <solution.sln> [--dry-run] [--exclude GLOB]... [--exclude-file FILE] [--only GLOB]...");
            return 2;
        }
        slnPath = Path.GetFullPath(slnPath);
        var root = Path.GetDirectoryName(slnPath)!;

        MSBuildLocator.RegisterDefaults();
        using var workspace = MSBuildWorkspace.Create(new Dictionary<string, string> { ["Configuration"] = "Debug" });
        workspace.RegisterWorkspaceFailedHandler(e => Console.Error.WriteLine($"workspace: {e.Diagnostic.Kind}: {e.Diagnostic.Message}"));
        Console.Error.WriteLine($"loading {slnPath}");
        var solution = await workspace.OpenSolutionAsync(slnPath);
        var original = solution;

        string Rel(string? path) => path is null ? "" : Path.GetRelativePath(root, path).Replace('\\', '/');
        // Build output (obj/: protobuf, gRPC and other generated sources) is never renamed: it is regenerated.
        bool BuildOutput(string? path) => path is not null && Rel(path).Split('/').Any(p => p is "obj" or "bin");
        bool Excluded(string? path) => path is null || excludes.Any(r => r.IsMatch(Rel(path)));
        bool InScope(string? path) => !Excluded(path) && (onlys.Count == 0 || onlys.Any(r => r.IsMatch(Rel(path))));

        // 1. Collect the offending fields as (project, declaration id, new name): ids survive other renames.
        var work = new List<(ProjectId Project, string Id, string OldName, string NewName, string Where)>();
        var seen = new HashSet<string>();
        foreach (var project in solution.Projects.Where(p => p.Language == LanguageNames.CSharp))
        {
            var compilation = await project.GetCompilationAsync();
            if (compilation is null) continue;
            foreach (var document in project.Documents)
            {
                if (BuildOutput(document.FilePath) || Excluded(document.FilePath)) continue;
                var tree = await document.GetSyntaxTreeAsync();
                if (tree is null || IsGenerated(tree)) continue;
                var model = compilation.GetSemanticModel(tree);
                foreach (var declarator in (await tree.GetRootAsync()).DescendantNodes().OfType<VariableDeclaratorSyntax>())
                {
                    if (declarator.Parent?.Parent is not FieldDeclarationSyntax) continue;
                    if (model.GetDeclaredSymbol(declarator) is not IFieldSymbol field) continue;
                    var where = $"{Rel(document.FilePath)}:{declarator.GetLocation().GetLineSpan().StartLinePosition.Line + 1}";
                    if (field.IsConst)
                    {
                        if (!char.IsUpper(field.Name[0])) Console.WriteLine($"note: const not PascalCase (left alone): {where} {field.Name}");
                        continue;
                    }
                    if (field.DeclaredAccessibility is not (Accessibility.Private or Accessibility.Internal or Accessibility.ProtectedAndInternal)) continue;
                    if (field.ContainingType.TypeKind == TypeKind.Enum) continue;
                    var newName = Expected(field);
                    if (newName == field.Name) continue;
                    var id = DocumentationCommentId.CreateDeclarationId(field);
                    if (id is null || !seen.Add(project.Id + "|" + id)) continue;
                    // Declared in a file we must not touch, or (with --only) outside the requested files.
                    if (field.Locations.Any(l => !InScope(l.SourceTree?.FilePath)))
                    {
                        if (Excluded(document.FilePath)) continue;
                        Console.WriteLine($"skip (declared in an excluded file too): {where} {field.Name}");
                        continue;
                    }
                    if (field.ContainingType.GetMembers(newName).Any() || BaseHas(field.ContainingType.BaseType, newName))
                    {
                        Console.WriteLine($"skip (a member named {newName} exists): {where} {field.Name}");
                        continue;
                    }
                    work.Add((project.Id, id, field.Name, newName, where));
                }
            }
        }
        Console.Error.WriteLine($"{work.Count} field(s) to rename");

        // 1b. A field used as a tuple element or anonymous-type member without an explicit name gives that element its
        // name ((reader, target) has an element called reader); the rename would change it. Spell the old name out.
        foreach (var projectId in work.Select(w => w.Project).Distinct().ToList())
        {
            foreach (var documentId in solution.GetProject(projectId)!.DocumentIds)
            {
                var document = solution.GetDocument(documentId)!;
                if (BuildOutput(document.FilePath) || !InScope(document.FilePath)) continue;
                var rootNode = await document.GetSyntaxRootAsync();
                var model = await document.GetSemanticModelAsync();
                if (rootNode is null || model is null) continue;
                bool IsRenamedField(ExpressionSyntax e, out string name)
                {
                    name = "";
                    var simple = e switch
                    {
                        IdentifierNameSyntax i => i,
                        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax i } => i,
                        _ => null,
                    };
                    if (simple is null || model.GetSymbolInfo(e).Symbol is not IFieldSymbol f) return false;
                    var fid = DocumentationCommentId.CreateDeclarationId(f.OriginalDefinition);
                    if (fid is null || !work.Any(w => w.Id == fid && w.OldName == simple.Identifier.ValueText)) return false;
                    name = simple.Identifier.ValueText;
                    return true;
                }
                var edits = new Dictionary<SyntaxNode, SyntaxNode>();
                foreach (var argument in rootNode.DescendantNodes().OfType<ArgumentSyntax>())
                {
                    if (argument.Parent is not TupleExpressionSyntax tuple || argument.NameColon is not null) continue;
                    if (!IsRenamedField(argument.Expression, out var name)) continue;
                    var index = tuple.Arguments.IndexOf(argument);
                    // Only where the inferred name reaches the tuple's (converted) type; elsewhere it was ignored anyway
                    // and an explicit name would draw CS8123.
                    if (model.GetTypeInfo(tuple).ConvertedType is not INamedTypeSymbol { IsTupleType: true } tt ||
                        tt.TupleElements[index].Name != name) continue;
                    edits[argument] = argument.WithoutLeadingTrivia()
                        .WithNameColon(SyntaxFactory.NameColon(SyntaxFactory.IdentifierName(name), SyntaxFactory.Token(SyntaxKind.ColonToken).WithTrailingTrivia(SyntaxFactory.Space)))
                        .WithLeadingTrivia(argument.GetLeadingTrivia());
                    Console.WriteLine($"name tuple element {Rel(document.FilePath)}:{argument.GetLocation().GetLineSpan().StartLinePosition.Line + 1} {name}");
                }
                foreach (var member in rootNode.DescendantNodes().OfType<AnonymousObjectMemberDeclaratorSyntax>())
                {
                    if (member.NameEquals is not null || !IsRenamedField(member.Expression, out var name)) continue;
                    edits[member] = member.WithoutLeadingTrivia()
                        .WithNameEquals(SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(name).WithTrailingTrivia(SyntaxFactory.Space), SyntaxFactory.Token(SyntaxKind.EqualsToken).WithTrailingTrivia(SyntaxFactory.Space)))
                        .WithLeadingTrivia(member.GetLeadingTrivia());
                    Console.WriteLine($"name anonymous member {Rel(document.FilePath)}:{member.GetLocation().GetLineSpan().StartLinePosition.Line + 1} {name}");
                }
                if (edits.Count == 0) continue;
                solution = solution.WithDocumentSyntaxRoot(documentId, rootNode.ReplaceNodes(edits.Keys, (o, _) => edits[o]));
            }
        }

        // 2. Rename one at a time on the evolving solution.
        var renamed = new List<string>();
        foreach (var (projectId, id, oldName, newName, where) in work)
        {
            var project = solution.GetProject(projectId)!;
            var compilation = (await project.GetCompilationAsync())!;
            if (DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation) is not IFieldSymbol field)
            {
                Console.WriteLine($"skip (symbol not found again): {where} {id}");
                continue;
            }
            var next = await Renamer.RenameSymbolAsync(solution, field, new SymbolRenameOptions(), newName);
            var touched = next.GetChanges(solution).GetProjectChanges()
                .SelectMany(pc => pc.GetChangedDocuments().Select(d => next.GetDocument(d)!.FilePath))
                .Distinct().ToList();
            var forbidden = touched.Where(p => !BuildOutput(p) && !InScope(p)).ToList();
            if (forbidden.Count > 0)
            {
                Console.WriteLine($"skip (would edit excluded {string.Join(", ", forbidden.Select(Rel))}): {where} {oldName}");
                continue;
            }
            solution = next;
            renamed.Add(newName);
            Console.WriteLine($"rename {where} {oldName} -> {newName} ({touched.Count} file(s))");
        }

        // 3. `this._x` -> `_x` where the simple name binds to the same field (the old `this.x = x` pattern).
        var names = renamed.ToHashSet(StringComparer.Ordinal);
        foreach (var projectId in solution.ProjectIds)
        {
            foreach (var documentId in solution.GetProject(projectId)!.DocumentIds)
            {
                var document = solution.GetDocument(documentId)!;
                if (BuildOutput(document.FilePath) || !InScope(document.FilePath)) continue;
                var rootNode = await document.GetSyntaxRootAsync();
                var model = await document.GetSemanticModelAsync();
                if (rootNode is null || model is null) continue;
                var targets = rootNode.DescendantNodes().OfType<MemberAccessExpressionSyntax>()
                    .Where(m => m.Expression is ThisExpressionSyntax && m.Name is IdentifierNameSyntax n && names.Contains(n.Identifier.ValueText))
                    .Where(m => model.GetSymbolInfo(m).Symbol is IFieldSymbol f &&
                                model.LookupSymbols(m.SpanStart, name: m.Name.Identifier.ValueText).FirstOrDefault() is { } s &&
                                SymbolEqualityComparer.Default.Equals(s.OriginalDefinition, f.OriginalDefinition))
                    .ToList();
                if (targets.Count == 0) continue;
                var newRoot = rootNode.ReplaceNodes(targets, (o, _) => o.Name.WithTriviaFrom(o));
                solution = solution.WithDocumentSyntaxRoot(documentId, newRoot);
            }
        }

        var changed = solution.GetChanges(original).GetProjectChanges().SelectMany(pc => pc.GetChangedDocuments()).Distinct().Count();
        Console.Error.WriteLine($"renamed {renamed.Count} field(s), {changed} document(s) changed");
        if (dryRun) return 0;
        if (!workspace.TryApplyChanges(solution))
        {
            Console.Error.WriteLine("TryApplyChanges failed");
            return 1;
        }
        return 0;
    }

    private static bool IsGenerated(SyntaxTree tree)
    {
        var path = tree.FilePath;
        if (path.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".designer.cs", StringComparison.OrdinalIgnoreCase)) return true;
        return tree.GetRoot().GetLeadingTrivia().Any(t => t.ToString().Contains("<auto-generated", StringComparison.OrdinalIgnoreCase));
    }

    private static bool BaseHas(INamedTypeSymbol? type, string name)
    {
        for (; type is not null; type = type.BaseType)
            if (type.GetMembers(name).Any(m => m.DeclaredAccessibility != Accessibility.Private)) return true;
        return false;
    }

    private static string Expected(IFieldSymbol field)
    {
        var core = field.Name;
        foreach (var prefix in new[] { "s_", "m_", "t_", "_" })
            if (core.Length > prefix.Length && core.StartsWith(prefix, StringComparison.Ordinal)) { core = core[prefix.Length..]; break; }
        core = core.TrimStart('_');
        if (core.Length == 0) return field.Name;
        if (field.IsStatic && field.IsReadOnly)
            return char.ToUpperInvariant(core[0]) + core[1..];
        return "_" + char.ToLowerInvariant(core[0]) + core[1..];
    }

    private static Regex Glob(string glob)
    {
        var pattern = Regex.Escape(glob.Replace('\\', '/'))
            .Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]");
        return new Regex("^" + pattern + "$", RegexOptions.CultureInvariant);
    }
}
