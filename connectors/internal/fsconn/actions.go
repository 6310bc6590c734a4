// SPDX-License-Identifier: Apache-2.0

package fsconn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"path"
	"sort"

	"github.com/junction-run/junction/connector"
)

type handler func(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error)

var actions = map[string]handler{
	"CreateFile":      createFile,
	"GetFileContent":  getFileContent,
	"GetFileMetadata": getFileMetadata,
	"ListFolder":      listFolder,
	"UpdateFile":      updateFile,
	"AppendFile":      appendFile,
	"CopyFile":        copyFile,
	"MoveFile":        moveFile,
	"RenameFile":      renameFile,
	"DeleteFile":      deleteFile,
	"ExtractFolder":   extractFolder,
}

// createFile writes a new file (CreateFile).
func createFile(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	dir, err := Rel(in.String("folderPath"))
	if err != nil {
		return connector.Output{}, err
	}
	name := in.String("name")
	if name == "" || path.Base(name) != name || name == "." || name == ".." {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "name %q must be a file name without folders", name)
	}
	overwrite, err := in.Bool("overwrite", false)
	if err != nil {
		return connector.Output{}, err
	}
	src, err := bodyReader(in.Body)
	if err != nil {
		return connector.Output{}, err
	}
	p := path.Join(dir, name)
	if err := writeAtomic(ctx, fsys, p, src, false, overwrite); err != nil {
		return connector.Output{}, err
	}
	return statOK(ctx, fsys, p)
}

// getFileContent reads a file (GetFileContent).
func getFileContent(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	infer, err := in.Bool("inferContentType", true)
	if err != nil {
		return connector.Output{}, err
	}
	ct, err := readContent(ctx, fsys, p, s.cfg.MaxContentBytes, infer)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(ct), nil
}

// getFileMetadata returns a file's or folder's metadata (GetFileMetadata).
func getFileMetadata(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	return statOK(ctx, fsys, p)
}

// listFolder lists a folder's files and subfolders (ListFolder).
func listFolder(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	dir, err := Rel(in.String("id"))
	if err != nil {
		return connector.Output{}, err
	}
	items, err := list(ctx, fsys, dir)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(items), nil
}

// list returns the metadata of a folder's entries, sorted by name; it skips
// the connectors' own temporary files.
func list(ctx context.Context, fsys FS, dir string) ([]Metadata, error) {
	entries, err := fsys.ReadDir(ctx, dir)
	if err != nil {
		return nil, Classify("listing folder", err)
	}
	out := make([]Metadata, 0, len(entries))
	for _, fi := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if isTemp(fi.Name()) || fi.Name() == "." || fi.Name() == ".." {
			continue
		}
		out = append(out, metadata(path.Join(dir, fi.Name()), fi))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// updateFile replaces an existing file's content (UpdateFile).
func updateFile(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	src, err := bodyReader(in.Body)
	if err != nil {
		return connector.Output{}, err
	}
	if err := writeAtomic(ctx, fsys, p, src, true, true); err != nil {
		return connector.Output{}, err
	}
	return statOK(ctx, fsys, p)
}

// appendFile appends to a file, creating it when missing (AppendFile).
func appendFile(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	src, err := bodyReader(in.Body)
	if err != nil {
		return connector.Output{}, err
	}
	if fi, err := fsys.Stat(ctx, p); err == nil && fi.IsDir() {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", UserPath(p))
	}
	if err := fsys.MkdirAll(ctx, path.Dir(p)); err != nil {
		return connector.Output{}, Classify("creating folder", err)
	}
	if err := fsys.Append(ctx, p, newCtxReader(ctx, src, -1)); err != nil {
		return connector.Output{}, Classify("appending", err)
	}
	return statOK(ctx, fsys, p)
}

// transferParams reads the source and destination paths and the
// overwrite flag of CopyFile and MoveFile.
func transferParams(in connector.Input) (src, dst string, overwrite bool, err error) {
	if src, err = pathParam(in, "source"); err != nil {
		return "", "", false, err
	}
	if dst, err = pathParam(in, "destination"); err != nil {
		return "", "", false, err
	}
	overwrite, err = in.Bool("overwrite", false)
	return src, dst, overwrite, err
}

// copyFile copies a file (CopyFile).
func copyFile(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	src, dst, overwrite, err := transferParams(in)
	if err != nil {
		return connector.Output{}, err
	}
	fi, err := fsys.Stat(ctx, src)
	if err != nil {
		return connector.Output{}, Classify("opening source", err)
	}
	if fi.IsDir() {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", UserPath(src))
	}
	rfs := fsys
	if c, ok := fsys.(Cloner); ok {
		if rfs, err = c.Clone(ctx); err != nil {
			return connector.Output{}, Classify("connecting", err)
		}
		defer rfs.Close()
	}
	if _, err := fsys.Stat(ctx, dst); err == nil && !overwrite {
		// Checked before opening the source: no transfer for nothing.
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s already exists", UserPath(dst))
	}
	f, err := rfs.Open(ctx, src)
	if err != nil {
		return connector.Output{}, Classify("opening source", err)
	}
	defer f.Close()
	if err := writeAtomic(ctx, fsys, dst, f, false, overwrite); err != nil {
		return connector.Output{}, err
	}
	return statOK(ctx, fsys, dst)
}

// moveFile moves a file to another path (MoveFile).
func moveFile(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	src, dst, overwrite, err := transferParams(in)
	if err != nil {
		return connector.Output{}, err
	}
	return move(ctx, fsys, src, dst, overwrite)
}

// renameFile gives a file a new name in the same folder (RenameFile).
func renameFile(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	src, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	name := in.String("newName")
	if name == "" || path.Base(name) != name || name == "." || name == ".." {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "newName %q must be a file name without folders", name)
	}
	return move(ctx, fsys, src, path.Join(path.Dir(src), name), false)
}

func move(ctx context.Context, fsys FS, src, dst string, overwrite bool) (connector.Output, error) {
	fi, err := fsys.Stat(ctx, src)
	if err != nil {
		return connector.Output{}, Classify("reading source", err)
	}
	if fi.IsDir() {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", UserPath(src))
	}
	if err := fsys.MkdirAll(ctx, path.Dir(dst)); err != nil {
		return connector.Output{}, Classify("creating folder", err)
	}
	if err := fsys.Rename(ctx, src, dst, overwrite); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s already exists", UserPath(dst))
		}
		return connector.Output{}, Classify("moving file", err)
	}
	return statOK(ctx, fsys, dst)
}

// deleteFile removes a file (DeleteFile).
func deleteFile(ctx context.Context, s *Service, fsys FS, in connector.Input) (connector.Output, error) {
	p, err := pathParam(in, "id")
	if err != nil {
		return connector.Output{}, err
	}
	if p == "." {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "cannot delete the root folder")
	}
	fi, err := fsys.Stat(ctx, p)
	if err != nil {
		return connector.Output{}, Classify("reading metadata", err)
	}
	if fi.IsDir() {
		return connector.Output{}, connector.Errorf(connector.KindBadRequest, "%s is a folder", UserPath(p))
	}
	if err := fsys.Remove(ctx, p); err != nil {
		return connector.Output{}, Classify("deleting file", err)
	}
	return connector.Output{StatusCode: 200}, nil
}

func statOK(ctx context.Context, fsys FS, p string) (connector.Output, error) {
	md, err := stat(ctx, fsys, p)
	if err != nil {
		return connector.Output{}, err
	}
	return ok(md), nil
}

// writeAtomic writes src to relPath through a temporary file in the same
// folder and a rename, so readers (and the trigger) never see half a file.
// With mustExist it fails when relPath does not exist; with !overwrite it
// fails when it does.
func writeAtomic(ctx context.Context, fsys FS, relPath string, src io.Reader, mustExist, overwrite bool) error {
	fi, err := fsys.Stat(ctx, relPath)
	switch {
	case err == nil && fi.IsDir():
		return connector.Errorf(connector.KindBadRequest, "%s is a folder", UserPath(relPath))
	case err == nil && !overwrite:
		return connector.Errorf(connector.KindBadRequest, "%s already exists", UserPath(relPath))
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return Classify("reading metadata", err)
	case err != nil && mustExist:
		return connector.Errorf(connector.KindNotFound, "%s does not exist", UserPath(relPath))
	}
	dir := path.Dir(relPath)
	if err := fsys.MkdirAll(ctx, dir); err != nil {
		return Classify("creating folder", err)
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	tmp := path.Join(dir, "."+path.Base(relPath)+".junction-"+hex.EncodeToString(suffix[:]))
	if err := fsys.Write(ctx, tmp, newCtxReader(ctx, src, -1), true); err != nil {
		_ = fsys.Remove(context.WithoutCancel(ctx), tmp)
		return Classify("writing file", err)
	}
	// Without overwrite the rename refuses to replace a file created
	// meanwhile.
	if err := fsys.Rename(ctx, tmp, relPath, overwrite || mustExist); err != nil {
		_ = fsys.Remove(context.WithoutCancel(ctx), tmp)
		if errors.Is(err, fs.ErrExist) {
			return connector.Errorf(connector.KindBadRequest, "%s already exists", UserPath(relPath))
		}
		return Classify("replacing file", err)
	}
	return nil
}
